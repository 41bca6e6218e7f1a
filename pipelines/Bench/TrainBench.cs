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
using SSeg.Pipelines.Cli.Train;

namespace SSeg.Pipelines.Bench;

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
        var learnSeeds = new Option<string>("--learn-seeds") { Description = "Comma-separated run seeds for --learn (training data and init).", DefaultValueFactory = _ => "1,2,3,4,5,6" };
        var learnScorers = new Option<string>("--learn-scorers")
        {
            Description = "Scorer settings to compare, COMBINATION/BACKGROUND comma-separated (the first gives the summary line), or 'all'.",
            DefaultValueFactory = _ => $"{ScoreCombinations.Name(ScoreCombinations.Default)}/default",
        };
        var learnSource = new Option<string>("--learn-query-embedding") { Description = "mask-pooled (default) or decoder: what queries are embedded from.", DefaultValueFactory = _ => "mask-pooled" };
        var learnMaskCell = new Option<int>("--learn-mask-cell") { Description = "Pixels per pseudo-mask cell of the generated 96² scenes (4: a 24×24 map; 2: 48×48).", DefaultValueFactory = _ => 4 };
        var contrastive = GradCacheBench.CreateOption();
        foreach (var o in new Option[] { configs, batch, steps, device, threads, vocab, learn, learnSteps, learnSeeds, learnScorers, learnSource, learnMaskCell, contrastive }) command.Options.Add(o);
        command.SetAction(async (parse, ct) => await TrainCommands.Guarded(async () =>
        {
            DeviceSelector.SetThreads(parse.GetValue(threads));
            var names = ParseList(parse.GetValue(configs)!, s => s).Where(s => s != "none").ToArray();
            if (parse.GetValue(contrastive) is { } n && names.Length > 0)
                GradCacheBench.Run(names[0], parse.GetValue(batch), n, parse.GetValue(steps), parse.GetValue(vocab), parse.GetValue(device)!);
            else if (names.Length > 0) Throughput(names, parse.GetValue(batch), parse.GetValue(steps), parse.GetValue(vocab), parse.GetValue(device)!);
            if (parse.GetValue(learn))
                await LearnAsync(parse.GetValue(learnSteps), ParseList(parse.GetValue(learnSeeds)!, s => int.Parse(s, CultureInfo.InvariantCulture)),
                    ParseCandidates(parse.GetValue(learnScorers)!), parse.GetValue(learnSource) switch
                    {
                        "mask-pooled" => QueryEmbeddingSource.MaskPooled,
                        "decoder" => QueryEmbeddingSource.DecoderQuery,
                        var v => throw new ArgumentException($"--learn-query-embedding must be mask-pooled or decoder, not '{v}'"),
                    }, parse.GetValue(learnMaskCell), parse.GetValue(device)!, ct);
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

    /// <summary>One scorer setting of the learning comparison: a score combination and a background prompt set.</summary>
    private sealed record Candidate(string Combination, string Background)
    {
        public string Label => $"{Combination}, background prompts {Background}";
        public Dictionary<string, string> Settings => new() { [ScoreCombinations.SettingKey] = Combination, [BackgroundPrompts.SettingKey] = Background };
    }

    private static IReadOnlyList<Candidate> ParseCandidates(string spec) => spec.Trim() == "all"
        ? [.. ScoreCombinations.All.SelectMany(c => new[] { "default", "none" }.Select(b => new Candidate(ScoreCombinations.Name(c), b)))]
        : ParseList(spec, s => s.Split('/') is [var c, var b] ? new Candidate(c, b) : throw new ArgumentException($"scorer '{s}' must be COMBINATION/BACKGROUND"));

    private static async Task LearnAsync(int steps, IReadOnlyList<int> seeds, IReadOnlyList<Candidate> candidates, QueryEmbeddingSource source,
        int maskCell, string device, CancellationToken ct)
    {
        var results = candidates.ToDictionary(c => c, _ => new List<SyntheticEvaluation.Result>());
        foreach (var seed in seeds)
        {
            var root = Path.Combine(Path.GetTempPath(), $"sseg-bench-learn-{Guid.NewGuid():N}");
            try
            {
                var sw = System.Diagnostics.Stopwatch.StartNew();
                await SyntheticShapes.WriteDatasetAsync(root, "shapes", LearningRecipe.Images, 4, 96, LearningRecipe.DataSeed(seed), maskCell: maskCell, ct: ct);
                await VocabStage.RunAsync(root, "shapes", LearningRecipe.VocabSize, ct: ct);
                Console.WriteLine($"seed {seed}: data + vocabulary: {sw.Elapsed.TotalSeconds:F1} s");
                sw.Restart();
                var options = LearningRecipe.Options(root, "shapes", "learn", steps, seed: seed) with { Device = device };
                options = options with { Model = options.Model with { QueryEmbedding = source } };
                var result = await TrainStage.RunAsync(options, null, ct);
                var m = result.Metrics;
                Console.WriteLine($"training: {result.Steps} steps in {sw.Elapsed.TotalSeconds:F1} s; loss {m.Take(5).Average(x => x.Loss):F3} -> {m.TakeLast(5).Average(x => x.Loss):F3}, " +
                                  $"mask {m.Take(5).Average(x => x.Mask):F3} -> {m.TakeLast(5).Average(x => x.Mask):F3}, " +
                                  $"contrastive {m.Take(5).Average(x => x.Itc + x.MultiLabel):F3} -> {m.TakeLast(5).Average(x => x.Itc + x.MultiLabel):F3}");
                foreach (var candidate in candidates)
                {
                    using var scorer = new SSegScorerFactory().Load(Path.Combine(root, "runs", "learn"), new ScorerLoadOptions(DeviceSelector.Select(device), candidate.Settings));
                    var r = SyntheticEvaluation.Evaluate(scorer, LearningRecipe.HeldOutImages, 96, options.Model.CropSize);
                    results[candidate].Add(r);
                    Console.WriteLine($"seed {seed} {candidate.Label}: fg-only {r.MeanIoUForeground:P1}; fg/bg AUC {r.ForegroundAuc:F3}; " +
                                      $"with background {r.MeanIoUWithBackground:P1} at calibrated τ {r.Threshold:0.##}, {r.MeanIoUAtGroupVitThreshold:P1} at τ 0.95");
                }
            }
            finally
            {
                try { Directory.Delete(root, true); } catch (IOException) { }
            }
        }
        Console.WriteLine($"mean over seeds {string.Join(",", seeds)} (query embedding {source}):");
        foreach (var (candidate, rs) in results)
            Console.WriteLine($"  {candidate.Label}: fg-only {rs.Average(r => r.MeanIoUForeground):P1}, fg/bg AUC {rs.Average(r => r.ForegroundAuc):F3}, " +
                $"with background {rs.Average(r => r.MeanIoUWithBackground):P1} at calibrated τ ({rs.Min(r => r.Threshold):0.##}–{rs.Max(r => r.Threshold):0.##}), " +
                $"worst seed {rs.Min(r => r.MeanIoUWithBackground):P1}, at τ 0.95 {rs.Average(r => r.MeanIoUAtGroupVitThreshold):P1}");
        var d = results[candidates[0]];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"learn summary: seeds {d.Count}, fg-only {d.Average(r => r.MeanIoUForeground) * 100:0.0} %, fg/bg AUC {d.Average(r => r.ForegroundAuc):0.00}, " +
            $"with background {d.Average(r => r.MeanIoUWithBackground) * 100:0.0} % (floor {d[0].AllBackgroundMeanIoU * 100:0.0} %), worst seed {d.Min(r => r.MeanIoUWithBackground) * 100:0.0} %"));
    }
}
