using SSeg.Pseudomask;
using Xunit.Abstractions;
using SSeg.Shards;
using TorchSharp;
using static TorchSharp.torch;
using static SSeg.Models.Tests.PseudomaskTestData;

namespace SSeg.Models.Tests;

/// <summary>
/// bf16 inference against fp32 on the CPU: DINO ViT-S/8 features (random weights, seeded), the masks k-means makes
/// of them, the oracle, and what the mask shards record. Thresholds are the issue's: cosine ≥ 0.99 per token, ≥ 95 %
/// of mask pixels equal, oracle mIoU within 1 point.
/// </summary>
[Collection(ThreadCountCollection.Name)]
public class PseudomaskPrecisionTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"sseg-precision-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private static GeneratorOptions Options(InferencePrecision precision, int seed = 0) => new()
    {
        Model = "vit_small", Patch = 8, RandomWeights = true, Feature = FeatureKind.Tokens, K = 6, Seed = seed,
        MaxSide = 64, BatchSize = 4, Threads = 2, Device = "cpu", Precision = precision,
    };

    private static List<PreparedImage> Scenes(ImagePreprocessor preprocessor, int count, int firstSeed)
    {
        var prepared = new List<PreparedImage>();
        for (var i = 0; i < count; i++)
        {
            var (image, _) = PrecisionScenes.Scene(firstSeed + i, 64, 64);
            using (image) prepared.Add(preprocessor.Prepare($"scene/{firstSeed + i}", i, image));
        }
        return prepared;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Bf16FeaturesHaveCosineAtLeast099ToFp32OnEveryToken(int seed)
    {
        using var fp32 = new PseudomaskGenerator(Options(InferencePrecision.Fp32, seed));
        using var bf16 = new PseudomaskGenerator(Options(InferencePrecision.Bf16, seed));
        var batch = Scenes(fp32.Preprocessor, 4, 10 * seed);
        using var scope = NewDisposeScope();
        var pixels = batch.SelectMany(b => b.Pixels).ToArray();
        var images = tensor(pixels, new long[] { batch.Count, 3, 64, 64 });
        var a = new FeatureExtractor(FeatureKind.Tokens, 8, fp32.Backbone.Model).Extract(images);
        var b = new FeatureExtractor(FeatureKind.Tokens, 8, bf16.Backbone.Model, InferencePrecision.Bf16).Extract(images);

        Assert.Equal(ScalarType.Float32, b.dtype);              // normalisation and k-means see float32
        Assert.Equal(ScalarType.BFloat16, bf16.Backbone.Model!.parameters().First().dtype);
        var cosine = (a * b).sum(-1);                            // both L2-normalised: [B, n]
        var worst = cosine.min().item<float>();
        output.WriteLine($"per-token cosine bf16 vs fp32: min {worst:F5}, mean {cosine.mean().item<float>():F5}");
        Assert.True(worst >= 0.99f, $"lowest per-token cosine bf16 vs fp32 is {worst:F4}");
        Assert.True((a - b).abs().max().item<float>() > 0, "bf16 features are bit-identical to fp32: the model was not cast");
    }

    [Fact]
    public void Bf16MasksAgreeWithFp32OnAtLeast95PercentOfPixels()
    {
        using var fp32 = new PseudomaskGenerator(Options(InferencePrecision.Fp32));
        using var bf16 = new PseudomaskGenerator(Options(InferencePrecision.Bf16));
        var batch = Scenes(fp32.Preprocessor, 32, 100);
        var reference = fp32.Generate(batch);
        var reduced = bf16.Generate(batch);
        long same = 0, total = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            // Cluster ids are numbered by first appearance and k-means++ starts from the same uniforms, so equal
            // clusterings have equal ids; every cell covers the same number of pixels.
            Assert.Equal(reference[i].Ids.Length, reduced[i].Ids.Length);
            same += reference[i].Ids.Zip(reduced[i].Ids).Count(p => p.First == p.Second);
            total += reference[i].Ids.Length;
        }
        var agreement = (double)same / total;
        output.WriteLine($"bf16 masks equal fp32 on {100 * agreement:F2}% of pixels ({total} cells)");
        Assert.True(agreement >= 0.95, $"bf16 masks agree with fp32 on {100 * agreement:F1}% of pixels");
    }

    [Fact]
    public void OracleMiouInBf16IsWithinOnePointOfFp32()
    {
        var voc = PrecisionScenes.WriteVoc(_root, 12, 64, 64);
        var fp32 = PseudomaskOracle.Run(voc, Options(InferencePrecision.Fp32));
        var bf16 = PseudomaskOracle.Run(voc, Options(InferencePrecision.Bf16));
        Assert.Equal(12, bf16.Images);
        output.WriteLine($"oracle mIoU fp32 {100 * fp32.MeanIoU:F2}, bf16 {100 * bf16.MeanIoU:F2}");
        Assert.True(fp32.MeanIoU > 0.2, $"fp32 oracle mIoU {fp32.MeanIoU:F3}: the scenes should be partly recoverable");
        Assert.True(Math.Abs(fp32.MeanIoU - bf16.MeanIoU) <= 0.01, $"oracle mIoU fp32 {100 * fp32.MeanIoU:F2} vs bf16 {100 * bf16.MeanIoU:F2}");
    }

    [Fact]
    public void Fp16OnCpuFailsNamingCuda()
    {
        var e = Assert.Throws<ArgumentException>(() => new PseudomaskGenerator(Options(InferencePrecision.Fp16)));
        Assert.Contains("fp16", e.Message);
        Assert.Contains("CUDA", e.Message);
        Assert.Contains("bf16", e.Message);
    }

    [Fact]
    public async Task MaskShardRecordsDevicePrecisionAndThreadsAndBf16GetsItsOwnGeneratorId()
    {
        using var scene = PrecisionScenes.Scene(7, 64, 64).Image;
        await WriteShardAsync(_root, "demo", 0, [Row("p/0", Png(scene), 64, 64), Row("p/1", Jpeg(scene), 64, 64)]);
        var options = new PseudomaskOptions { Root = _root, Dataset = "demo", Generator = Options(InferencePrecision.Bf16) };
        var summary = await PseudomaskStage.RunShardAsync(options, 0);
        Assert.Equal("dino_vit_small8_tokens_k6_s0_m64_bf16_random", summary.GeneratorId);

        await using var reader = await DatasetStore.Open(_root).Dataset("demo").OpenMaskShardAsync(summary.GeneratorId, 0);
        var extra = reader.Generator!.Extra!;
        Assert.Equal("cpu", extra[ComputeInfo.DeviceKey]);
        Assert.Equal("bf16", extra[ComputeInfo.PrecisionKey]);
        Assert.Equal("2", extra[ComputeInfo.ThreadsKey]);
    }

    [Fact]
    public async Task RgbMasksRecordFp32WhateverPrecisionIsAsked()
    {
        using var scene = PrecisionScenes.Scene(8, 64, 64).Image;
        await WriteShardAsync(_root, "demo", 0, [Row("p/0", Png(scene), 64, 64)]);
        var options = new PseudomaskOptions
        {
            Root = _root, Dataset = "demo",
            Generator = new GeneratorOptions { Feature = FeatureKind.Rgb, Patch = 8, K = 4, MaxSide = 64, Threads = 1, Precision = InferencePrecision.Bf16 },
        };
        var summary = await PseudomaskStage.RunShardAsync(options, 0);
        Assert.Equal("rgb8_rgb_k4_s0_m64", summary.GeneratorId);   // no network, nothing in bf16: same folder as fp32
        await using var reader = await DatasetStore.Open(_root).Dataset("demo").OpenMaskShardAsync(summary.GeneratorId, 0);
        Assert.Equal("fp32", reader.Generator!.Extra![ComputeInfo.PrecisionKey]);
        Assert.Equal("1", reader.Generator.Extra[ComputeInfo.ThreadsKey]);
    }
}

/// <summary>libtorch's thread count is process-wide: tests that read it back from written outputs run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ThreadCountCollection
{
    public const string Name = "libtorch thread count";
}
