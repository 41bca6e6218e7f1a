using SSeg.Tests.Common;
using SSeg.Pseudomask;
using SSeg.Shards;
using static SSeg.Models.Tests.PseudomaskTestData;

namespace SSeg.Models.Tests;

/// <summary>A truncated image shard costs that shard only: the others get masks, the bad one is named with the reader's error.</summary>
public class PseudomaskBadShardTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"sseg-pseudomask-bad-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private PseudomaskOptions RgbOptions => new()
    {
        Root = _root,
        Dataset = "demo",
        Generator = new GeneratorOptions { Feature = FeatureKind.Rgb, Patch = 8, K = 2, Seed = 1, BatchSize = 2, MaxSide = 32, Threads = 2 },
    };

    /// <summary>Three committed image shards (0, 1, 2) of two images each; shard 1's file is then damaged.</summary>
    /// <returns>The damaged shard's path in the dataset.</returns>
    private async Task<string> WriteDatasetWithDamagedShardAsync(Func<string, Task> damage)
    {
        using var split = Paint(32, 32, (x, _) => x < 16 ? Red : Blue);
        for (var shard = 0; shard < 3; shard++)
            await WriteShardAsync(_root, "demo", shard,
                [Row($"test/{shard:D5}/00000", Png(split), 32, 32), Row($"test/{shard:D5}/00001", Png(split), 32, 32)]);
        var ds = DatasetStore.Open(_root).Dataset("demo");
        var entry = (await ds.GetManifestAsync()).Find(ShardNames.ImagesKind, 1)!;
        var file = ShardDamage.LocalFile(_root, ds, entry.Path);
        Assert.True(File.Exists(file), file);
        await damage(file);
        return entry.Path;
    }

    private Task<string> WriteDatasetWithTruncatedShardAsync() =>
        WriteDatasetWithDamagedShardAsync(file => { ShardDamage.TruncateToHalf(file); return Task.CompletedTask; });

    [Fact]
    public async Task A_truncated_shard_is_reported_and_the_other_shards_get_masks()
    {
        var badPath = await WriteDatasetWithTruncatedShardAsync();
        var ds = DatasetStore.Open(_root).Dataset("demo");
        using var generator = new PseudomaskGenerator(RgbOptions.Generator, PseudomaskStage.DefaultModelsDir(_root));
        var id = generator.DefaultGeneratorId();

        var result = await PseudomaskStage.RunShardsAsync(ds, generator, id, [0, 1, 2]);

        Assert.False(result.Ok);
        Assert.Equal(new[] { 0, 2 }, result.Shards.Select(s => s.Shard));
        Assert.All(result.Shards, s => Assert.Equal(2, s.Masks));
        var failure = Assert.Single(result.Failed);
        Assert.Equal(1, failure.Shard);
        Assert.Equal(badPath, failure.Path);
        Assert.False(string.IsNullOrWhiteSpace(failure.Reason));
        Assert.Contains(badPath, failure.Message);
        Assert.True(await ds.IsMaskCommittedAsync(id, 0));
        Assert.False(await ds.IsMaskCommittedAsync(id, 1));
        Assert.True(await ds.IsMaskCommittedAsync(id, 2));
    }

    [Fact]
    public async Task A_shard_with_a_damaged_row_group_is_reported_with_the_row_group_and_the_other_shards_get_masks()
    {
        // Shard 1's footer, size and row count stay as committed; the page header of its key column is overwritten.
        var badPath = await WriteDatasetWithDamagedShardAsync(ShardDamage.OverwriteKeyPageHeaderAsync);
        var ds = DatasetStore.Open(_root).Dataset("demo");
        using var generator = new PseudomaskGenerator(RgbOptions.Generator, PseudomaskStage.DefaultModelsDir(_root));
        var id = generator.DefaultGeneratorId();

        var result = await PseudomaskStage.RunShardsAsync(ds, generator, id, [0, 1, 2]);

        Assert.Equal(new[] { 0, 2 }, result.Shards.Select(s => s.Shard));
        var failure = Assert.Single(result.Failed);
        Assert.Equal((1, badPath), (failure.Shard, failure.Path));
        Assert.StartsWith("row group 1 of 1: ", failure.Reason);
        Assert.False(await ds.IsMaskCommittedAsync(id, 1));
    }

    [Fact]
    public async Task The_single_shard_job_of_a_truncated_shard_fails_naming_the_shard_and_the_reason()
    {
        var badPath = await WriteDatasetWithTruncatedShardAsync();

        // This is what the Hangfire job of that shard runs (PseudomaskAdapter.RunShardAsync): its message is the job's error.
        var error = await Assert.ThrowsAsync<UnreadableShardException>(() => PseudomaskStage.RunShardAsync(RgbOptions, 1));

        Assert.Equal(1, error.Index);
        Assert.Equal(badPath, error.Path);
        Assert.Contains($"shard 1 ({badPath}) is unreadable: ", error.Message);
        Assert.False(string.IsNullOrWhiteSpace(error.Reason));
    }
}
