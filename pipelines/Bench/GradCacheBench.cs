using System.CommandLine;
using SSeg.Models;
using SSeg.Train.Model;
using SSeg.Train.Training;

namespace SSeg.Pipelines.Bench;

/// <summary>`bench train --contrastive-batch N`: one gradient-cached step over N samples against a plain micro-batch
/// step (time and process peak RSS of each), ending with the `gradcache:` line.</summary>
internal static class GradCacheBench
{
    public static Option<int?> CreateOption() => new("--contrastive-batch")
    {
        Description = "Measure a gradient-cached step over this many samples (micro-batches of --batch) against a plain micro-batch step, " +
                      "on the first of --configs; peak memory = process peak RSS per phase. Replaces the throughput table.",
    };

    public static void Run(string preset, int batch, int contrastiveBatch, int steps, int? vocabSize, string device)
    {
        var config = SSegModelConfig.FromPreset(preset);
        if (vocabSize is { } v) config = config with { VocabSize = v };
        var r = GradCacheBenchmark.Run(config, batch, contrastiveBatch, steps, DeviceSelector.Select(device));
        Console.WriteLine($"{r.Config} on {r.Device}: {r.ContrastiveBatch / r.Batch} micro-batches of {r.Batch}, {r.Steps} timed steps each; " +
                          $"plain micro-batch step {r.PlainSecondsPerStep:F2} s; peak memory = process peak RSS (VmHWM) of each phase" +
                          (r.PeakReset ? ", reset before each" : ", NOT reset (since process start: /proc/self/clear_refs unavailable)"));
        Console.WriteLine($"gradcache: contrastive batch {r.ContrastiveBatch}, step {r.SecondsPerStep:F1} s, peak memory {r.PeakGiB:F2} GB " +
                          $"(plain micro-batch step {r.PlainPeakGiB:F2} GB)");
    }
}
