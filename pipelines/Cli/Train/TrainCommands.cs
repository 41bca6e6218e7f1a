using System.CommandLine;
using Spectre.Console;
using SSeg.Models;
using SSeg.Pipelines.Cli.Shards;
using SSeg.Train.Model;
using SSeg.Train.Synthetic;
using SSeg.Train.Text;
using SSeg.Runs;
using SSeg.Train.Training;

namespace SSeg.Pipelines.Cli.Train;

/// <summary>`train --root R --dataset NAME --masks GEN --run RUN [--config tiny|vit-s16] ...`, `train vocab`, `train synth`.</summary>
internal static class TrainCommands
{
    public static Command Create()
    {
        var command = new Command("train", "Train S-Seg on image shards + pseudo-mask shards (resumes the run from its last checkpoint).");
        var root = new RootOptions();
        var dataset = new Option<string>("--dataset") { Description = "Training dataset.", Required = true };
        var masks = new Option<string>("--masks") { Description = "Mask generator id (masks/<id>).", Required = true };
        var run = new Option<string>("--run") { Description = "Run name: runs/<run>/ holds config, metrics, checkpoints.", Required = true };
        var config = new Option<string>("--config") { Description = "Model preset: vit-s16 (docs/method.md defaults) or tiny.", DefaultValueFactory = _ => "vit-s16" };
        var vocab = new Option<string?>("--vocab") { Description = "CLIP merges file (bpe_simple_vocab_16e6.txt.gz); default: the dataset's own from `train vocab`." };
        var vocabSize = new Option<int>("--vocab-size") { Description = "Size of the dataset's own vocabulary.", DefaultValueFactory = _ => 49408 };
        var batch = new Option<int>("--batch") { Description = "Images per forward pass.", DefaultValueFactory = _ => 64 };
        var accumulation = new Option<int>("--accumulation") { Description = "Micro-batches per optimizer step (effective batch = batch × accumulation).", DefaultValueFactory = _ => 1 };
        var contrastiveBatch = new Option<int?>("--contrastive-batch") { Description = "Samples the image–text and multi-label losses span, by gradient caching (default: batch × accumulation; a multiple of --batch)." };
        var epochs = new Option<int>("--epochs") { Description = "Epochs.", DefaultValueFactory = _ => 30 };
        var warmupEpochs = new Option<double>("--warmup-epochs") { DefaultValueFactory = _ => 2 };
        var maxSteps = new Option<long?>("--max-steps") { Description = "Stop after this many optimizer steps (schedule shortened to match)." };
        var lr = new Option<double>("--lr") { Description = "Base lr at the reference batch 4096 (scaled by effective batch / 4096).", DefaultValueFactory = _ => 5e-4 };
        var noScale = new Option<bool>("--no-lr-scaling") { Description = "Use --lr as is, without the batch/4096 scaling." };
        var wd = new Option<double>("--weight-decay") { DefaultValueFactory = _ => 0.05 };
        var clip = new Option<double>("--clip-grad") { DefaultValueFactory = _ => 5.0 };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Optimizer steps between checkpoints.", DefaultValueFactory = _ => 1000 };
        var workers = new Option<int>("--workers") { Description = "Decode/augment workers.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var shuffle = new Option<int>("--shuffle-buffer") { DefaultValueFactory = _ => 10_000 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 0 };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:N.", DefaultValueFactory = _ => "auto" };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for libtorch." };
        var devices = new Option<string?>("--devices") { Description = "Data-parallel replicas in this process, e.g. cpu,cpu or cuda:0,cuda:1 (instead of --device)." };
        var projectFirst = new Option<bool>("--project-then-average") { Description = "[A] Image embedding = mean of projected queries (default: project the mean)." };
        var skipBad = new Option<bool>("--skip-bad-shards") { Description = "Train on the rest when image/mask shards fail the pre-flight check (listed in run.json); default: refuse and name them." };
        var fresh = new Option<bool>("--no-resume") { Description = "Ignore existing checkpoints of the run (they are overwritten as training proceeds)." };
        root.AddTo(command);
        foreach (var o in new Option[] { dataset, masks, run, config, vocab, vocabSize, batch, accumulation, contrastiveBatch, epochs, warmupEpochs, maxSteps, lr, noScale, wd, clip,
                     checkpointEvery, workers, shuffle, seed, device, devices, threads, projectFirst, skipBad, fresh })
            command.Options.Add(o);
        command.Subcommands.Add(CreateVocab());
        command.Subcommands.Add(CreateSynth());

        command.SetAction(async (parse, ct) => await Guarded(async () =>
        {
            var model = SSegModelConfig.FromPreset(parse.GetValue(config)!);
            if (parse.GetValue(projectFirst)) model = model with { ImageEmbedding = ImageEmbeddingOrder.ProjectThenAverage };
            var options = new TrainOptions
            {
                StorageRoot = parse.GetValue(root.Root)!, AzureConnectionString = parse.GetValue(root.ConnectionString),
                Dataset = parse.GetValue(dataset)!, MaskGenerator = parse.GetValue(masks)!, Run = parse.GetValue(run)!,
                Model = model, VocabPath = parse.GetValue(vocab), VocabSize = parse.GetValue(vocabSize),
                BatchSize = parse.GetValue(batch), Accumulation = parse.GetValue(accumulation), Epochs = parse.GetValue(epochs),
                WarmupEpochs = parse.GetValue(warmupEpochs), MaxSteps = parse.GetValue(maxSteps), LearningRate = parse.GetValue(lr),
                ScaleLrWithBatch = !parse.GetValue(noScale), WeightDecay = parse.GetValue(wd), ClipGrad = parse.GetValue(clip),
                CheckpointEvery = parse.GetValue(checkpointEvery), DecodeWorkers = parse.GetValue(workers),
                ShuffleBuffer = parse.GetValue(shuffle), Seed = parse.GetValue(seed), Device = parse.GetValue(device)!,
                Threads = parse.GetValue(threads), Resume = !parse.GetValue(fresh), SkipBadShards = parse.GetValue(skipBad),
                ContrastiveBatch = parse.GetValue(contrastiveBatch), Devices = parse.GetValue(devices),
            };
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
        var size = new Option<int>("--size") { Description = "Vocabulary size (512 byte symbols + merges + 2 specials).", DefaultValueFactory = _ => 49408 };
        var force = new Option<bool>("--force") { Description = "Rebuild even when the file exists." };
        root.AddTo(command);
        command.Options.Add(dataset);
        command.Options.Add(size);
        command.Options.Add(force);
        command.SetAction(async (parse, ct) => await Guarded(async () =>
        {
            var r = await VocabStage.RunAsync(parse.GetValue(root.Root)!, parse.GetValue(dataset)!, parse.GetValue(size), parse.GetValue(force),
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
