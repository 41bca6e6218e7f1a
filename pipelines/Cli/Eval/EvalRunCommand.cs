using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using SSeg.Eval.Datasets;
using SSeg.Eval.Protocol;
using SSeg.Eval.Scoring;
using SSeg.Eval.Stage;
using SSeg.Models;
using SSeg.Shards.Storage;
using SSeg.Pipelines.Hosting;

namespace SSeg.Pipelines.Cli.Eval;

/// <summary>The `eval` verb itself: load a checkpoint through the scorer registry, evaluate, write the report.</summary>
internal static class EvalRunCommand
{
    public static Command Create()
    {
        var command = new Command("eval",
            "Evaluate a model: mIoU on VOC, Pascal Context, COCO-Object (also LVIS, ImageNet-S) with the GroupViT protocol " +
            "(short side 448, sliding 448/224 windows, background threshold). Writes <root>/reports/<run>/.");
        var datasets = new Option<string[]>("--dataset")
        {
            Description = "kind=DIR (repeatable); kinds: voc, context, coco-object, lvis, imagenet-s; kind:split=DIR picks a split.",
            AllowMultipleArgumentsPerToken = true,
        };
        var root = DataRootOption.Create("Data root (folder or az://container/prefix); reports go to <root>/reports/<run>");
        var run = new Option<string?>("--run") { Description = "Run name (default: checkpoint name + UTC time)." };
        var threshold = new Option<string[]>("--threshold")
        {
            Description = "Background threshold τ: a number for all datasets or kind=τ (repeatable). Default: the checkpoint's calibrated τ (`eval calibrate`), else voc 0.95, context 0.35, coco-object 0.95.",
            AllowMultipleArgumentsPerToken = true,
        };
        var noBackground = new Option<bool>("--without-background") { Description = "Score foreground classes only and ignore GT background (the VOC w/o bg protocol)." };
        var maxImages = new Option<int?>("--max-images") { Description = "Evaluate only the first N images of each dataset." };
        var overlays = new Option<int>("--overlays") { Description = "Prediction overlays to save per dataset.", DefaultValueFactory = _ => 6 };
        var scoring = new ScoringOptionSet();
        scoring.AddTo(command);
        foreach (var o in new Option[] { datasets, root, run, threshold, noBackground, maxImages, overlays })
            command.Options.Add(o);

        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var checkpoint = scoring.Checkpoint(parse);
                var specs = ParseDatasets(parse.GetValue(datasets) ?? Array.Empty<string>(), parse.GetValue(threshold) ?? Array.Empty<string>(), out var globalTau);
                var options = new EvalOptions
                {
                    Inference = scoring.Inference(parse),
                    Protocol = parse.GetValue(noBackground) ? BackgroundProtocol.WithoutBackground : BackgroundProtocol.WithBackground,
                    BackgroundThreshold = globalTau,
                    MaxImages = parse.GetValue(maxImages),
                    KeepPredictions = parse.GetValue(overlays),
                };
                var runName = parse.GetValue(run) ?? $"{Path.GetFileNameWithoutExtension(checkpoint)}-{DateTime.UtcNow:yyyyMMdd-HHmmss}";
                if (runName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || runName.Contains(".."))
                    throw new ArgumentException($"run name '{runName}' is not a valid folder name");
                var rootUri = parse.GetValue(root)!;
                bool remote = rootUri.StartsWith("az://", StringComparison.OrdinalIgnoreCase);
                var reportDir = remote
                    ? Path.Combine(Path.GetTempPath(), $"sseg-eval-{Guid.NewGuid():N}", runName)
                    : Path.Combine(rootUri, "reports", runName);

                var settings = scoring.Settings(parse);
                var factory = scoring.Factory(parse);
                var request = new EvalRequest(runName, specs, options, reportDir, StoredThresholds.ForCheckpoint(factory, checkpoint), settings);
                EvalStage.OpenDatasets(request); // fail on a bad folder before spending time on the model
                var dev = scoring.DeviceOf(parse);
                var load = scoring.LoadOptions(parse, dev, settings);
                AnsiConsole.MarkupLine($"Scorer [bold]{Markup.Escape(factory.Kind)}[/] on {Markup.Escape(ComputeInfo.Of(dev, load.Precision).ToString())}");
                using var scorer = factory.Load(checkpoint, load);

                SSeg.Eval.Reports.RunReport? report = null;
                AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                        new RemainingTimeColumn(), new SpinnerColumn())
                    .Start(ctx =>
                    {
                        var tasks = new Dictionary<string, ProgressTask>();
                        var progress = new SyncProgress<EvalProgress>(p =>
                        {
                            if (!tasks.TryGetValue(p.Dataset, out var t)) tasks[p.Dataset] = t = ctx.AddTask(p.Dataset, maxValue: p.Total);
                            t.Value = p.Done;
                        });
                        report = EvalStage.Run(scorer, request, progress, ct);
                    });

                var location = reportDir;
                if (remote)
                {
                    var storage = StorageFactory.Open(rootUri);
                    foreach (var file in Directory.EnumerateFiles(reportDir, "*", SearchOption.AllDirectories))
                    {
                        var key = "reports/" + runName + "/" + Path.GetRelativePath(reportDir, file).Replace('\\', '/');
                        await storage.WriteAsync(key, await File.ReadAllBytesAsync(file, ct), ct);
                    }
                    Directory.Delete(Path.GetDirectoryName(reportDir)!, recursive: true);
                    location = rootUri.TrimEnd('/') + "/reports/" + runName;
                }
                EvalConsole.WriteSummary(report!, location);
                return report!.Datasets.Any(d => d.Incomplete) ? 2 : 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException)
            {
                AnsiConsole.MarkupLine($"[red]eval failed:[/] {Markup.Escape(e.Message)}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>`eval scorers`: the scorer factories this host knows.</summary>
    public static Command CreateScorersList()
    {
        var command = new Command("scorers", "List the scorer factories (checkpoint kinds) registered in this host.");
        command.SetAction(_ =>
        {
            var registry = ScorerFactories.Create();
            if (registry.Factories.Count == 0) Console.WriteLine("No scorer factories registered yet (train/selftrain provide them).");
            foreach (var f in registry.Factories) Console.WriteLine($"{f.Kind}\t{f.GetType().FullName}");
            return 0;
        });
        return command;
    }

    internal static IReadOnlyList<DatasetSpec> ParseDatasets(IEnumerable<string> datasetArgs, IEnumerable<string> thresholdArgs, out double? globalTau)
    {
        globalTau = null;
        var perKind = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        foreach (var t in thresholdArgs)
        {
            int eq = t.IndexOf('=');
            if (eq < 0) globalTau = ParseTau(t);
            else perKind[t[..eq]] = ParseTau(t[(eq + 1)..]);
        }
        var specs = datasetArgs.Select(EvalDatasets.ParseSpec)
            .Select(s => new DatasetSpec(s.Kind, s.Root, s.Split, perKind.TryGetValue(s.Kind, out var tau) ? tau : null)).ToList();
        if (specs.Count == 0) throw new ArgumentException("give at least one --dataset kind=DIR");
        var unknown = perKind.Keys.Where(k => specs.All(s => !string.Equals(s.Kind, k, StringComparison.OrdinalIgnoreCase))).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"--threshold names dataset(s) not evaluated: {string.Join(", ", unknown)}");
        return specs;
    }

    internal static double ParseTau(string s) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v is >= 0 and <= 1
            ? v
            : throw new ArgumentException($"threshold '{s}' must be a number in [0, 1]");

    /// <summary>IProgress that calls back on the reporting thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
