using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using SSeg.Selftrain;
using SSeg.Selftrain.Training;

namespace SSeg.Pipelines.Cli.Selftrain;

/// <summary>`selftrain train`: UperNet + MAE ViT-B/16 on the teacher labels; resumes from the run's last checkpoint.</summary>
internal static class SelftrainTrainCommand
{
    public static Command Create()
    {
        var command = new Command("train",
            "Train S-Seg+ (MAE ViT-B/16 + UperNet, layer-wise lr decay 0.7, AdamW 1e-4, warmup 1.5k + poly) on labels from " +
            "`selftrain label`. Writes <root>/runs/<run>/ (run.json, checkpoints, metrics.jsonl, plots/, model.safetensors); rerun to resume.");
        var root = DataRootOption.Create("Storage root (folder or az://container/prefix) with the labelled dataset; the run goes to <root>/runs/<run>");
        var dataset = new Option<string>("--dataset") { Description = "Dataset written by `selftrain label`.", Required = true };
        var generator = new Option<string?>("--labels") { Description = "Label generator id (default: the dataset's only sseg-labels-*)." };
        var run = new Option<string>("--run") { Description = "Run name.", Required = true };
        var pretrained = new Option<string?>("--pretrained") { Description = "MAE checkpoint, e.g. mae_pretrain_vit_base.pth (omit only for smoke tests)." };
        var schedule = new Option<string>("--schedule") { Description = "voc (20k iters, 512 crops), context (40k, 480 crops, scale 520) or coco (80k, 512).", DefaultValueFactory = _ => "voc" };
        var iterations = new Option<int?>("--iterations") { Description = "Override the schedule's iteration count." };
        var stopAt = new Option<int?>("--stop-at") { Description = "Stop (with a checkpoint) after this many iterations; the lr schedule keeps --iterations." };
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 16 };
        var lr = new Option<double>("--lr") { Description = "Base learning rate.", DefaultValueFactory = _ => 1e-4 };
        var preset = new Option<string>("--model") { Description = "vit-b16 (paper) or vit-tiny16 (smoke tests).", DefaultValueFactory = _ => "vit-b16" };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Iterations between checkpoints.", DefaultValueFactory = _ => 2000 };
        var logEvery = new Option<int>("--log-every") { Description = "Iterations between metrics lines.", DefaultValueFactory = _ => 50 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 0 };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:N.", DefaultValueFactory = _ => "auto" };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for libtorch." };
        foreach (var o in new Option[] { root, dataset, generator, run, pretrained, schedule, iterations, stopAt, batch, lr, preset, checkpointEvery, logEvery, seed, device, threads })
            command.Options.Add(o);

        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var rootUri = parse.GetValue(root)!;
                var runName = parse.GetValue(run)!;
                var options = SelftrainPresets.TrainOptions(rootUri, null, parse.GetValue(dataset)!, runName, parse.GetValue(generator),
                    parse.GetValue(pretrained), parse.GetValue(schedule)!, parse.GetValue(preset)!, parse.GetValue(iterations), parse.GetValue(batch),
                    parse.GetValue(lr), parse.GetValue(checkpointEvery), parse.GetValue(logEvery), parse.GetValue(seed), parse.GetValue(device)!,
                    parse.GetValue(threads), parse.GetValue(stopAt));
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
