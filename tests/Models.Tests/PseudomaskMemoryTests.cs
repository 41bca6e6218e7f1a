using SSeg.Pseudomask;
using TorchSharp;

namespace SSeg.Models.Tests;

/// <summary>Every batch disposes what it creates: the live tensor count does not grow over many batches.</summary>
public class PseudomaskMemoryTests
{
    [Theory]
    [InlineData(FeatureKind.Tokens)]
    [InlineData(FeatureKind.Keys)]
    [InlineData(FeatureKind.Rgb)]
    public void LiveTensorCountStaysFlatOverManyBatches(FeatureKind feature)
    {
        var options = new GeneratorOptions { Model = "vit_tiny", Patch = 16, RandomWeights = feature != FeatureKind.Rgb, Feature = feature, K = 4, MaxSide = 64, Threads = 2 };
        using var generator = new PseudomaskGenerator(options);
        var rng = new Random(1);
        var batch = Enumerable.Range(0, 3).Select(i =>
            new PreparedImage($"k/{i}", i, 48, 64, Enumerable.Range(0, 3 * 48 * 64).Select(_ => (float)rng.NextDouble()).ToArray())).ToList();

        generator.Generate(batch);   // warm-up
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        IReadOnlyList<ClusterMap> maps = [];
        for (var i = 0; i < 25; i++) maps = generator.Generate(batch);
        var after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        Assert.Equal(before, after);
        Assert.Equal(3, maps.Count);
        Assert.All(maps, m => Assert.Equal((3, 4), (m.Height, m.Width)));
        Assert.All(maps, m => Assert.InRange(m.Segments, 1, 4));
    }
}
