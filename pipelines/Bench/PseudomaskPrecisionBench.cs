using System.Diagnostics;
using System.Globalization;
using SSeg.Models;
using SSeg.Pseudomask;
using static TorchSharp.torch;

namespace SSeg.Pipelines.Bench;

/// <summary>
/// The speed-up of a reduced-precision ViT forward over fp32 in this process (`bench pseudomask --precision bf16`): the
/// same backbone and the same random input batches in both dtypes, features only (k-means is fp32 either way). On CPUs
/// without native bf16 arithmetic (no AVX512-BF16 / AMX) libtorch converts bf16 to fp32 inside its kernels, so the
/// figure can be below 1; that is what the line is for.
/// </summary>
internal static class PseudomaskPrecisionBench
{
    public static void PrintSpeedUp(GeneratorOptions options, int side, int batches)
    {
        if (options.Precision == InferencePrecision.Fp32 || options.Feature == FeatureKind.Rgb) return;
        var fp32 = Rate(options with { Precision = InferencePrecision.Fp32 }, side, batches);
        var reduced = Rate(options, side, batches);
        var name = InferencePrecisions.Name(options.Precision);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name} vs fp32 (bare ViT forward, {batches}x{options.BatchSize} images of {side}x{side}): fp32 {fp32:F2} images/s, {name} {reduced:F2} images/s, " +
            $"speed-up {reduced / fp32:F2}x ({BenchPhotoShards.LoadAverage()})"));
    }

    private static double Rate(GeneratorOptions options, int side, int batches)
    {
        using var generator = new PseudomaskGenerator(options);   // seeded random weights: the same network in both dtypes
        var extractor = new FeatureExtractor(options.Feature, options.Patch, generator.Backbone.Model, options.Precision);   // shares the generator's ViT, which the generator disposes
        manual_seed(7);
        void Batch()
        {
            using var scope = NewDisposeScope();
            _ = extractor.Extract(randn(options.BatchSize, 3, side, side).to(generator.Device)).sum().item<float>();
        }
        Batch();   // warm-up
        var clock = Stopwatch.StartNew();
        for (var b = 0; b < batches; b++) Batch();
        return batches * options.BatchSize / clock.Elapsed.TotalSeconds;
    }
}
