using SSeg.Runs;
using System.CommandLine;
using Spectre.Console;
using SSeg.Models;
using SSeg.Pipelines.Jobs;
using SSeg.Pipelines.Cli.Shards;
using SSeg.Train.Model;
using SSeg.Train.Synthetic;
using SSeg.Train.Text;
using SSeg.Train.Training;

namespace SSeg.Pipelines.Cli.Train;

/// <summary>`train --root R --dataset NAME --mask-generator GEN --run RUN [--model tiny|vit-s16] ...` (options from TrainStageOptions), `train vocab`, `train synth`.</summary>
internal static class TrainCommands
{
    public static Command Create()
    {
        var command = new Command("train", "Train S-Seg on image shards + pseudo-mask shards (resumes the run from its last checkpoint).");
        var root = new RootOptions();
        var declared = new DeclaredCliOptions(TrainStageOptions.All);
        var fresh = new Option<bool>("--no-resume") { Description = "Ignore existing checkpoints of the run (they are overwritten as training proceeds)." };
        root.AddTo(command);
        declared.AddTo(command);
        command.Options.Add(fresh);
        command.Subcommands.Add(CreateVocab());
        command.Subcommands.Add(CreateSynth());

        command.SetAction(async (parse, ct) => await Guarded(async () =>
        {
            var context = declared.Context(parse, parse.GetValue(root.Root)!, parse.GetValue(root.ConnectionString));
            var masks = context.Get(TrainStageOptions.MaskGenerator.Name)
                ?? throw new FormatException($"{TrainStageOptions.MaskGenerator.CliName} is required on the command line (the mask generator id, masks/<id>)");
            var options = DeclaredCliOptions.Build(context, c => TrainAdapter.Build(c, masks)) with { Resume = !parse.GetValue(fresh) };
            TrainResult? result = null;
            await AnsiConsole.Progress().AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async ctx =>
                {
                    var task = ctx.AddTask($"train {options.Run}");
                    var progress = new Progress<RunProgress>(p =>
                    {
                        task.MaxValue = Math.Max(1, p.TotalSteps);
                        task.Value = p.Step;
                        if (p.Message.Length > 0) AnsiConsole.MarkupLine(Markup.Escape(p.Message));
                        if (double.IsFinite(p.Loss))
                            task.Description = $"train {Markup.Escape(options.Run)} step {p.Step}/{p.TotalSteps} ep {p.Epoch} loss {p.Loss:F3} " +
                                               $"(mask {p.Field("mask"):F3}, con {p.Field("itc") + p.Field("multilabel"):F3}) lr {p.LearningRate:E2} {p.ImagesPerSecond:F1} img/s";
                    });
                    result = await TrainStage.RunAsync(options, progress, ct);
                });
            Console.WriteLine($"{result!.Steps} steps; checkpoint {options.StorageRoot}/{result.RunKey}/checkpoints/{result.LastCheckpoint}; " +
                              $"metrics {options.StorageRoot}/{result.RunKey}/metrics.jsonl, plots in plots/; {result.DataFailures} undecodable samples");
            return 0;
        }));
        return command;
    }

    private static Command CreateVocab()
    {
        var command = new Command("vocab", "Learn the dataset's own byte-level BPE vocabulary from its captions (datasets/NAME/vocab/bpe-SIZE.txt.gz).");
        var root = new RootOptions();
        var dataset = new Option<string>("--dataset") { Required = true };
        // The same declaration as train's vocabSize, so `train vocab` writes the file `train` looks for.
        var size = new DeclaredCliOptions([TrainStageOptions.VocabSize with { CliAliases = ["--size"] }]);
        var force = new Option<bool>("--force") { Description = "Rebuild even when the file exists." };
        root.AddTo(command);
        command.Options.Add(dataset);
        size.AddTo(command);
        command.Options.Add(force);
        command.SetAction(async (parse, ct) => await Guarded(async () =>
        {
            var vocabSize = size.Context(parse, parse.GetValue(root.Root)!, null).Int(TrainStageOptions.VocabSize);
            var r = await VocabStage.RunAsync(parse.GetValue(root.Root)!, parse.GetValue(dataset)!, vocabSize, parse.GetValue(force),
                parse.GetValue(root.ConnectionString), new Progress<string>(Console.WriteLine), ct);
            if (!r.Skipped) Console.WriteLine($"{r.Captions:N0} captions, {r.DistinctWords:N0} distinct words, {r.Merges:N0} merges -> {r.Key}");
            return 0;
        }));
        return command;
    }

    private static Command CreateSynth()
    {
        var command = new Command("synth", "Write a generated shapes dataset (captions naming the shapes, RGB k-means masks rgb-kmeans-k4) for demos and CPU runs.");
        var root = new RootOptions();
        var dataset = new Option<string>("--dataset") { DefaultValueFactory = _ => "shapes" };
        var images = new Option<int>("--images") { DefaultValueFactory = _ => 256 };
        var shards = new Option<int>("--shards") { DefaultValueFactory = _ => 4 };
        var size = new Option<int>("--size") { DefaultValueFactory = _ => 96 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 0 };
        root.AddTo(command);
        foreach (var o in new Option[] { dataset, images, shards, size, seed }) command.Options.Add(o);
        command.SetAction(async (parse, ct) => await Guarded(async () =>
        {
            await SyntheticShapes.WriteDatasetAsync(parse.GetValue(root.Root)!, parse.GetValue(dataset)!, parse.GetValue(images), parse.GetValue(shards),
                parse.GetValue(size), parse.GetValue(seed), ct: ct);
            Console.WriteLine($"wrote {parse.GetValue(images)} images + masks/{SyntheticShapes.GeneratorId} to dataset {parse.GetValue(dataset)}");
            return 0;
        }));
        return command;
    }

    internal static async Task<int> Guarded(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (e is CheckpointMismatchException or ArgumentException or FormatException or InvalidOperationException
                                       or InvalidDataException or FileNotFoundException or DirectoryNotFoundException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
    }
}
