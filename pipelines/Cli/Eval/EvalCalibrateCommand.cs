using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using SSeg.Eval.Datasets;
using SSeg.Eval.Protocol;
using SSeg.Eval.Scoring;
using SSeg.Eval.Stage;
using SSeg.Models;
using SSeg.Pipelines.Jobs;

namespace SSeg.Pipelines.Cli.Eval;

/// <summary>`eval calibrate`: fits the background threshold τ of a checkpoint per dataset kind on labelled images
/// that are not evaluated, and stores it beside the checkpoint, where `eval` and the selftrain teacher find it.</summary>
internal static class EvalCalibrateCommand
{
    public static Command Create()
    {
        var command = new Command("calibrate",
            "Pick the background threshold τ per dataset on a labelled split that is not evaluated (default: the first " +
            $"{ThresholdCalibrator.DefaultImages} images of the train split) by maximising with-background mIoU over a grid; " +
            "stores it in the checkpoint's calibration.json, which `eval` and selftrain labelling then use unless a threshold is given.");
        var datasets = new Option<string[]>("--dataset")
        {
            Description = "kind=DIR (repeatable), as for `eval`; kind:split=DIR picks the calibration split (default: train, train2017 for coco-object).",
            AllowMultipleArgumentsPerToken = true,
        };
        var images = new Option<int>("--images") { Description = "Calibration images per dataset (the first N of the split, in list order).", DefaultValueFactory = _ => ThresholdCalibrator.DefaultImages };
        var grid = new Option<string?>("--grid") { Description = "Comma-separated τ values to try (default 0.01 … 0.04, 0.05 … 0.95 in steps of 0.05, 0.97, 0.99)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the curve and the chosen τ without storing it." };
        var scoring = new ScoringOptionSet();
        scoring.AddTo(command);
        foreach (var o in new Option[] { datasets, images, grid, dryRun }) command.Options.Add(o);

        command.SetAction((parse, ct) =>
        {
            try
            {
                var checkpoint = scoring.Checkpoint(parse);
                if (parse.GetValue(images) < 1) throw new ArgumentException("--images must be at least 1");
                var taus = parse.GetValue(grid) is { } g
                    ? g.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t => DeclaredCliOptions.Build(new StageContext("cli", "cli", 0, new Dictionary<string, string>(), ".", null), _ => EvalAdapter.Tau(t))).Distinct().Order().ToArray()
                    : ThresholdCalibrator.DefaultGrid;
                var specs = (parse.GetValue(datasets) ?? []).Select(EvalDatasets.ParseSpec).ToList();
                if (specs.Count == 0) throw new ArgumentException("give at least one --dataset kind=DIR");
                var inference = scoring.Inference(parse);
                var opened = specs.Select(s => (s.Kind, Split: s.Split ?? EvalDatasets.CalibrationSplit(s.Kind), Dataset: OpenSplit(s.Kind, s.Root, s.Split))).ToList();
                var settings = scoring.Settings(parse);
                var factory = scoring.Factory(parse);
                var file = factory.ResolveCheckpointFile(checkpoint)
                    ?? throw new ArgumentException($"the '{factory.Kind}' scorer cannot name the weights file of {checkpoint}, so a threshold cannot be stored for it");
                var dev = scoring.DeviceOf(parse);
                using var scorer = factory.Load(checkpoint, scoring.LoadOptions(parse, dev, settings));
                if (scorer.BackgroundIsLearned) throw new ArgumentException($"{scorer.Name} predicts background itself: it has no threshold to calibrate");
                AnsiConsole.MarkupLine($"Calibrating [bold]{Markup.Escape(scorer.Name)}[/] on {Markup.Escape(ComputeInfo.Of(dev, scorer.Precision).ToString())}");
                foreach (var (kind, split, dataset) in opened)
                {
                    ThresholdCalibration? result = null;
                    AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                        .Start(ctx =>
                        {
                            var task = ctx.AddTask($"{kind}:{split}", maxValue: Math.Min(parse.GetValue(images), dataset.Samples.Count));
                            result = ThresholdCalibrator.Calibrate(scorer, dataset, inference, taus, parse.GetValue(images),
                                new EvalRunCommand.SyncProgress<EvalProgress>(p => task.Value = p.Done), ct);
                        });
                    Console.WriteLine($"{kind}:{split}, {result!.Images} images: " +
                        string.Join(", ", result.Curve.Select(c => string.Create(CultureInfo.InvariantCulture, $"τ {c.Threshold:0.##} {c.MeanIoU * 100:0.0}"))));
                    foreach (var failure in result.Failures) AnsiConsole.MarkupLine($"[yellow]skipped[/] {Markup.Escape(failure)}");
                    var entry = new StoredThreshold(result.Threshold, kind, split, result.Images, result.MeanIoU, settings, DateTimeOffset.UtcNow, result.Curve);
                    var chosen = string.Create(CultureInfo.InvariantCulture, $"{kind}: τ {result.Threshold:0.##} (with-background mIoU {result.MeanIoU * 100:0.0} on {split})");
                    if (parse.GetValue(dryRun)) Console.WriteLine(chosen + ", not stored (--dry-run)");
                    else Console.WriteLine($"{chosen}, stored in {StoredThresholds.Write(file, kind, entry)}");
                }
                return Task.FromResult(0);
            }
            catch (Exception e) when (e is ArgumentException or FormatException or IOException or InvalidDataException or InvalidOperationException)
            {
                AnsiConsole.MarkupLine($"[red]calibrate failed:[/] {Markup.Escape(e.Message)}");
                return Task.FromResult(1);
            }
        });
        return command;
    }

    private static ISegmentationDataset OpenSplit(string kind, string root, string? split)
    {
        var chosen = split ?? EvalDatasets.CalibrationSplit(kind);
        try { return EvalDatasets.Open(kind, root, chosen); }
        catch (Exception e) when (e is IOException or ArgumentException)
        {
            throw new ArgumentException($"{kind}: cannot open calibration split '{chosen}' under {root} ({e.Message}); " +
                $"pick another labelled split that is not evaluated with --dataset {kind}:SPLIT={root}", e);
        }
    }
}
