using System.CommandLine;
using Spectre.Console;
using SSeg.Eval.Scoring;
using SSeg.Models;
using SSeg.Train.Model;
using SSeg.Train.Scoring;
using SSeg.Train.Synthetic;
using SSeg.Train.Text;
using SSeg.Train.Training;

namespace SSeg.Pipelines.Cli.Train;

/// <summary>`bench train`: images/s of full training steps per model config and peak memory; `--learn` also runs the
/// CPU learning recipe on generated shapes and prints the losses and the mIoU eval gives.</summary>
internal static class TrainBench
{
    public static Command Create()
    {
        var command = new Command("train", "Training step throughput (img/s) for the tiny and ViT-S/16 configs, peak memory; --learn: shapes learning run + mIoU.");
        var configs = new Option<string>("--configs") { Description = "Comma-separated presets.", DefaultValueFactory = _ => "tiny,vit-s16" };
        var batch = new Option<int>("--batch") { Description = "Images per step.", DefaultValueFactory = _ => 8 };
        var steps = new Option<int>("--steps") { Description = "Timed steps per config.", DefaultValueFactory = _ => 3 };
        var device = new Option<string>("--device") { DefaultValueFactory = _ => "auto" };
        var threads = new Option<int?>("--threads");
        var vocab = new Option<int?>("--vocab-size") { Description = "Token-embedding rows (default: the preset's 49408)." };
        var learn = new Option<bool>("--learn") { Description = "Also run the shapes learning recipe (tiny model) and evaluate it." };
        var learnSteps = new Option<int>("--learn-steps") { DefaultValueFactory = _ => LearningRecipe.TestSteps };
        foreach (var o in new Option[] { configs, batch, steps, device, threads, vocab, learn, learnSteps }) command.Options.Add(o);
        command.SetAction(async (parse, ct) => await TrainCommands.Guarded(async () =>
        {
            var dev = DeviceSelector.Select(parse.GetValue(device));
            DeviceSelector.SetThreads(parse.GetValue(threads));
            var table = new Table().AddColumns("config", "device", "crop", "batch", "params", "s/step", "img/s", "peak RSS MiB");
            foreach (var name in parse.GetValue(configs)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var cfg = SSegModelConfig.FromPreset(name);
                if (parse.GetValue(vocab) is { } v) cfg = cfg with { VocabSize = v };
                var r = TrainBenchmark.Run(cfg, parse.GetValue(batch), parse.GetValue(steps), warmup: 1, dev);
                table.AddRow(r.Config, r.Device, cfg.CropSize.ToString(), r.Batch.ToString(), $"{r.Parameters / 1e6:F1}M",
                    r.SecondsPerStep.ToString("F3"), r.ImagesPerSecond.ToString("F1"), r.PeakResidentMiB.ToString("F0"));
                Console.WriteLine($"{r.Config}: {r.ImagesPerSecond:F1} img/s ({r.SecondsPerStep:F3} s/step, batch {r.Batch}), peak RSS {r.PeakResidentMiB:F0} MiB");
            }
            AnsiConsole.Write(table);
            if (parse.GetValue(learn)) await LearnAsync(parse.GetValue(learnSteps), parse.GetValue(device)!, ct);
            return 0;
        }));
        return command;
    }

    private static async Task LearnAsync(int steps, string device, CancellationToken ct)
    {
        var root = Path.Combine(Path.GetTempPath(), $"sseg-bench-learn-{Guid.NewGuid():N}");
        try
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            await SyntheticShapes.WriteDatasetAsync(root, "shapes", 256, 4, 96, 21, ct: ct);
            await VocabStage.RunAsync(root, "shapes", 800, ct: ct);
            Console.WriteLine($"data + vocabulary: {sw.Elapsed.TotalSeconds:F1} s");
            sw.Restart();
            var options = LearningRecipe.Options(root, "shapes", "learn", 800, steps) with { Device = device };
            var result = await TrainStage.RunAsync(options, null, ct);
            var m = result.Metrics;
            Console.WriteLine($"training: {result.Steps} steps in {sw.Elapsed.TotalSeconds:F1} s; loss {m.Take(5).Average(x => x.Loss):F3} -> {m.TakeLast(5).Average(x => x.Loss):F3}, " +
                              $"mask {m.Take(5).Average(x => x.Mask):F3} -> {m.TakeLast(5).Average(x => x.Mask):F3}, " +
                              $"contrastive {m.Take(5).Average(x => x.Itc + x.MultiLabel):F3} -> {m.TakeLast(5).Average(x => x.Itc + x.MultiLabel):F3}");
            using var scorer = new SSegScorerFactory().Load(Path.Combine(root, "runs", "learn"), new ScorerLoadOptions(DeviceSelector.Select(device), new Dictionary<string, string>()));
            var e = SyntheticEvaluation.Evaluate(scorer, 40, 96, options.Model.CropSize, 99);
            Console.WriteLine($"held-out shapes: foreground mIoU {e.MeanIoUForeground:P1} [{string.Join(", ", e.IoUForeground.Select(x => x.ToString("P0")))}] " +
                              $"(chance ~20%); with background (tau 0.5) {e.MeanIoUWithBackground:P1}");
        }
        finally
        {
            try { Directory.Delete(root, true); } catch (IOException) { }
        }
    }
}
