using SSeg.Pseudomask;
using SSeg.Shards;
using static SSeg.Models.Tests.PseudomaskTestData;

namespace SSeg.Models.Tests;

/// <summary>
/// After ingest rebuilds one image shard (a new version with other rows), a pseudomask rerun recomputes only that
/// shard's masks, as the mask shard's next version; the masks of unchanged image shards keep their commit.
/// </summary>
public sealed class PseudomaskRebuildTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"sseg-pseudomask-rebuild-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private PseudomaskOptions Options => new()
    {
        Root = _root,
        Dataset = "rebuild",
        Generator = new GeneratorOptions { Feature = FeatureKind.Rgb, Patch = 8, K = 3, Seed = 1, BatchSize = 2, MaxSide = 64, Threads = 2 },
    };

    [Fact]
    public async Task Only_the_masks_of_a_rebuilt_image_shard_are_recomputed()
    {
        using var split = Paint(64, 48, (x, _) => x < 32 ? Red : Blue);
        using var bands = Paint(40, 40, (_, y) => y < 16 ? Green : y < 32 ? Red : Blue);
        for (var shard = 0; shard < 3; shard++)
            await WriteShardAsync(_root, "rebuild", shard, [Row($"test/{shard:00000}/00000", Png(split), 64, 48), Row($"test/{shard:00000}/00001", Png(bands), 40, 40)]);
        var first = await RunAllAsync();
        Assert.All(first, s => Assert.False(s.Skipped));
        var dataset = DatasetStore.Open(_root).Dataset("rebuild");
        var kind = ShardNames.MasksKind(first[0].GeneratorId);
        var before = (await dataset.ReadManifestAsync())!.ShardsOf(kind).ToDictionary(s => s.Index);
        Assert.All(before.Values, m => Assert.NotNull(m.InputFingerprint));

        // Ingest rebuilt image shard 1 (its slice changed): now three rows.
        var image1 = (await dataset.FindCommittedAsync(ShardNames.ImagesKind, 1))!;
        await using (var writer = await dataset.CreateReplacementImageShardWriterAsync(image1))
        {
            foreach (var i in new[] { 0, 1, 2 }) await writer.AddAsync(Row($"test/00001/{i:00000}", Png(i == 1 ? bands : split), i == 1 ? 40 : 64, i == 1 ? 40 : 48));
            Assert.True((await writer.CommitAsync()).Replaced);
        }

        var second = await RunAllAsync();
        Assert.Equal([true, false, true], second.Select(s => s.Skipped));
        Assert.Equal([false, true, false], second.Select(s => s.Rebuilt));
        Assert.Equal(3, second[1].Masks);
        var after = (await dataset.ReadManifestAsync())!.ShardsOf(kind).ToDictionary(s => s.Index);
        Assert.Equal((before[0].Version, before[0].Sha256), (after[0].Version, after[0].Sha256));
        Assert.Equal((before[2].Version, before[2].Sha256), (after[2].Version, after[2].Sha256));
        Assert.Equal((2, 3L), (after[1].Version, after[1].Rows));
        var keys = new List<string>();
        await using (var reader = await dataset.OpenMaskShardAsync(first[0].GeneratorId, 1))
            await foreach (var row in reader.ReadRowsAsync()) keys.Add(row.Key);
        Assert.Equal(["test/00001/00000", "test/00001/00001", "test/00001/00002"], keys);
        Assert.True((await dataset.VerifyAsync()).Ok);

        // Nothing changed since: every shard is kept.
        Assert.All(await RunAllAsync(), s => Assert.True(s.Skipped));
    }

    private async Task<List<PseudomaskShardSummary>> RunAllAsync()
    {
        var summaries = new List<PseudomaskShardSummary>();
        for (var shard = 0; shard < 3; shard++) summaries.Add(await PseudomaskStage.RunShardAsync(Options, shard));
        return summaries;
    }
}
