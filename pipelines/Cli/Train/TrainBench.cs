using System.CommandLine;
using System.Globalization;
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
/// CPU learning recipe on generated shapes and prints the losses and the mIoU eval gives for every S-Seg score
/// combination and background threshold.</summary>
internal static class TrainBench
{
    public static Command Create()
    {
        var command = new Command("train", "Training step throughput (img/s) for the tiny and ViT-S/16 configs, peak memory; --learn: shapes learning run + mIoU.");
        var configs = new Option<string>("--configs") { Description = "Comma-separated presets ('none': skip the throughput part).", DefaultValueFactory = _ => "tiny,vit-s16" };
        var batch = new Option<int>("--batch") { Description = "Images per step.", DefaultValueFactory = _ => 8 };
        var steps = new Option<int>("--steps") { Description = "Timed steps per config.", DefaultValueFactory = _ => 3 };
        var device = new Option<string>("--device") { DefaultValueFactory = _ => "auto" };
        var threads = new Option<int?>("--threads");
        var vocab = new Option<int?>("--vocab-size") { Description = "Token-embedding rows (default: the preset's 49408)." };
        var learn = new Option<bool>("--learn") { Description = "Also run the shapes learning recipe (tiny model) and evaluate it." };
        var learnSteps = new Option<int>("--learn-steps") { DefaultValueFactory = _ => LearningRecipe.TestSteps };
        var learnSeeds = new Option<string>("--learn-seeds") { Description = "Comma-separated run seeds for --learn (training data and init).", DefaultValueFactory = _ => "1" };
        var learnThresholds = new Option<string>("--learn-thresholds") { Description = "Comma-separated background thresholds τ for --learn.", DefaultValueFactory = _ => "0.3,0.5,0.7,0.9,0.95" };
        foreach (var o in new Option[] { configs, batch, steps, device, threads, vocab, learn, learnSteps, learnSeeds, learnThresholds }) command.Options.Add(o);
        command.SetAction(async (parse, ct) => await TrainCommands.Guarded(async () =>
        {
            DeviceSelector.SetThreads(parse.GetValue(threads));
            var names = ParseList(parse.GetValue(configs)!, s => s).Where(s => s != "none").ToArray();
            if (names.Length > 0) Throughput(names, parse.GetValue(batch), parse.GetValue(steps), parse.GetValue(vocab), parse.GetValue(device)!);
            if (parse.GetValue(learn))
                foreach (var seed in ParseList(parse.GetValue(learnSeeds)!, s => int.Parse(s, CultureInfo.InvariantCulture)))
                    await LearnAsync(parse.GetValue(learnSteps), seed,
                        ParseList(parse.GetValue(learnThresholds)!, s => double.Parse(s, CultureInfo.InvariantCulture)), parse.GetValue(device)!, ct);
            return 0;
        }));
        return command;
    }

    private static T[] ParseList<T>(string list, Func<string, T> parse) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(parse).ToArray();

    private static void Throughput(IEnumerable<string> presets, int batch, int steps, int? vocabSize, string device)
    {
        var dev = DeviceSelector.Select(device);
        var table = new Table().AddColumns("config", "device", "crop", "batch", "params", "s/step", "img/s", "fastest s/step", "CPU s/step", "peak RSS MiB");
        foreach (var name in presets)
        {
            var cfg = SSegModelConfig.FromPreset(name);
            if (vocabSize is { } v) cfg = cfg with { VocabSize = v };
            var r = TrainBenchmark.Run(cfg, batch, steps, warmup: 1, dev);
            table.AddRow(r.Config, r.Device, cfg.CropSize.ToString(), r.Batch.ToString(), $"{r.Parameters / 1e6:F1}M",
                r.SecondsPerStep.ToString("F3"), r.ImagesPerSecond.ToString("F1"), r.FastestStepSeconds.ToString("F3"), r.CpuSecondsPerStep.ToString("F3"), r.PeakResidentMiB.ToString("F0"));
            Console.WriteLine($"{r.Config}: {r.ImagesPerSecond:F1} img/s ({r.SecondsPerStep:F3} s/step, fastest {r.FastestStepSeconds:F3} s, {r.CpuSecondsPerStep:F3} CPU s/step, batch {r.Batch}), peak RSS {r.PeakResidentMiB:F0} MiB");
        }
        AnsiConsole.Write(table);
    }

    private static async Task LearnAsync(int steps, int seed, double[] thresholds, string device, CancellationToken ct)
    {
        var root = Path.Combine(Path.GetTempPath(), $"sseg-bench-learn-{Guid.NewGuid():N}");
        try
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            await SyntheticShapes.WriteDatasetAsync(root, "shapes", 256, 4, 96, LearningRecipe.DataSeed(seed), ct: ct);
            await VocabStage.RunAsync(root, "shapes", 800, ct: ct);
            Console.WriteLine($"seed {seed}: data + vocabulary: {sw.Elapsed.TotalSeconds:F1} s");
            sw.Restart();
            var options = LearningRecipe.Options(root, "shapes", "learn", 800, steps, seed: seed) with { Device = device };
            var result = await TrainStage.RunAsync(options, null, ct);
            var m = result.Metrics;
            Console.WriteLine($"training: {result.Steps} steps in {sw.Elapsed.TotalSeconds:F1} s; loss {m.Take(5).Average(x => x.Loss):F3} -> {m.TakeLast(5).Average(x => x.Loss):F3}, " +
                              $"mask {m.Take(5).Average(x => x.Mask):F3} -> {m.TakeLast(5).Average(x => x.Mask):F3}, " +
                              $"contrastive {m.Take(5).Average(x => x.Itc + x.MultiLabel):F3} -> {m.TakeLast(5).Average(x => x.Itc + x.MultiLabel):F3}");
            var table = new Table().AddColumns(["combination", "fg-only mIoU", "fg/bg AUC", .. thresholds.Select(t => $"bg τ={t:0.##}")]);
            double allBackground = double.NaN;
            foreach (var combination in ScoreCombinations.All)
            {
                var settings = new Dictionary<string, string> { [ScoreCombinations.SettingKey] = ScoreCombinations.Name(combination) };
                using var scorer = new SSegScorerFactory().Load(Path.Combine(root, "runs", "learn"), new ScorerLoadOptions(DeviceSelector.Select(device), settings));
                var results = SyntheticEvaluation.Evaluate(scorer, 40, 96, options.Model.CropSize, 99, thresholds);
                allBackground = results[0].AllBackgroundMeanIoU;
                table.AddRow([ScoreCombinations.Name(combination), results[0].MeanIoUForeground.ToString("P1"), results[0].ForegroundAuc.ToString("F3"), .. results.Select(r => r.MeanIoUWithBackground.ToString("P1"))]);
                Console.WriteLine($"seed {seed} {ScoreCombinations.Name(combination)}: fg-only {results[0].MeanIoUForeground:P1}; fg/bg AUC {results[0].ForegroundAuc:F3}; with background " +
                                  string.Join(", ", results.Select(r => $"τ {r.Threshold:0.##} {r.MeanIoUWithBackground:P1} (bg {r.IoUWithBackground[0]:P0})")));
            }
            AnsiConsole.Write(table);
            Console.WriteLine($"held-out shapes (40 images): chance fg-only ~20%; all-background with-background mIoU {allBackground:P1}");
        }
        finally
        {
            try { Directory.Delete(root, true); } catch (IOException) { }
        }
    }
}
