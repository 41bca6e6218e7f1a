using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using SSeg.Pipelines.Jobs;
using SSeg.Selftrain;
using SSeg.Selftrain.Training;

namespace SSeg.Pipelines.Cli.Selftrain;

/// <summary>`selftrain train`: UperNet + MAE ViT-B/16 on the teacher labels (options from SelftrainStageOptions); resumes from the run's last checkpoint.</summary>
internal static class SelftrainTrainCommand
{
    public static Command Create()
    {
        var command = new Command("train",
            "Train S-Seg+ (MAE ViT-B/16 + UperNet, layer-wise lr decay 0.7, AdamW 1e-4, warmup 1.5k + poly) on labels from " +
            "`selftrain label`. Writes <root>/runs/<run>/ (run.json, checkpoints, metrics.jsonl, plots/, model.safetensors); rerun to resume.");
        var root = DataRootOption.Create("Storage root (folder or az://container/prefix) with the labelled dataset; the run goes to <root>/runs/<run>");
        var declared = new DeclaredCliOptions(SelftrainStageOptions.All);
        command.Options.Add(root);
        declared.AddTo(command);

        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var rootUri = parse.GetValue(root)!;
                var options = DeclaredCliOptions.Build(declared.Context(parse, rootUri, null), SelftrainAdapter.Build);
                var runName = options.Run;
                if (options.Pretrained is null)
                    AnsiConsole.MarkupLine("[yellow]no --pretrained MAE checkpoint: the backbone starts from random weights[/]");
                SSeg.Models.DeviceSelector.SetThreads(options.Threads);   // as the trainer does, so the line states what it runs with
                AnsiConsole.MarkupLine(Markup.Escape($"training on {SSeg.Models.ComputeInfo.Of(SSeg.Models.DeviceSelector.Select(options.Device))}"));
                SelftrainResult? result = null;
                await AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                        new RemainingTimeColumn(), new SpinnerColumn())
                    .StartAsync(async ctx =>
                    {
                        var task = ctx.AddTask("train", maxValue: options.Iterations);
                        var progress = new SelftrainConsole.SyncProgress<SelftrainProgress>(p =>
                        {
                            task.Value = p.Done;
                            task.Description = Markup.Escape($"train {p.Note}");
                        });
                        result = await SelftrainStage.TrainAsync(options, progress, ct);
                    });
                AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                    $"iterations {result!.StartIteration}..{result.EndIteration}, last loss {result.LastLoss:F4}, {result.Seconds:F0} s; run {rootUri.TrimEnd('/')}/runs/{runName}")));
                if (result.ModelPath is not null) AnsiConsole.MarkupLine(Markup.Escape($"model: {result.ModelPath} (score it with `eval --model {result.ModelPath}`)"));
                return 0;
            }
            catch (Exception e) when (SelftrainConsole.IsUserError(e))
            {
                return SelftrainConsole.Fail("selftrain train", e);
            }
        });
        return command;
    }
}
