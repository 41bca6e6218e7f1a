using SSeg.Pipelines.Jobs;
using SSeg.Pipelines.Runs;
using SSeg.Shards;
using SSeg.Tests.Common;
using Xunit;

namespace SSeg.Pipelines.Tests;

/// <summary>
/// A rebuild through the host: one caption edited in the first shard's rows; ingest and pseudomask both run, each
/// rebuilds only shard 0 and keeps the other shards' commits, and the stage summaries count the two kinds.
/// </summary>
public sealed class ShardRebuildPipelineTests
{
    [Fact]
    public async Task An_edited_row_rebuilds_only_its_image_and_mask_shard_and_the_summaries_count_them()
    {
        var root = RepoPaths.NewTempDir("sseg-shard-rebuild");
        await using var host = await TestHost.StartAsync(root);
        var manifests = host.WriteSample(12);
        var pseudomask = new StageDefinition { Stage = "pseudomask" };
        foreach (var (key, value) in new[] { ("dataset", "shapes"), ("feature", "rgb"), ("k", "2"), ("maxSide", "32"), ("threads", "2"), ("generatorId", "rgb-rebuild") })
            pseudomask.Options[key] = value;
        var definition = new PipelineDefinition { Name = "shard-rebuild", Stages = [TestHost.IngestStage("shapes", manifests, shardSize: 4), pseudomask] };

        var first = await host.WaitAsync(host.Engine.Start(definition, "test", OptionOrigin.Trusted));
        Assert.Equal(RunStatus.Succeeded, first.Status);
        var dataset = DatasetStore.Open(root).Dataset("shapes");
        var before = (await dataset.ReadManifestAsync())!;
        var shards = before.ImageShards.Count;
        Assert.True(shards >= 3, $"{shards} shards");

        var lines = File.ReadAllLines(manifests.Cc3m);
        lines[0] = "a tiny edited caption about a zebra ." + lines[0][lines[0].IndexOf('\t')..];
        File.WriteAllLines(manifests.Cc3m, lines);
        var second = await host.WaitAsync(host.Engine.Start(definition, "test", OptionOrigin.Trusted));

        Assert.Equal(RunStatus.Succeeded, second.Status);
        Assert.EndsWith($"; {shards - 1} shard(s) unchanged (skipped), 1 rebuilt", second.StageSummary(0));
        Assert.EndsWith($"; {shards - 1} shard(s) unchanged (skipped), 1 rebuilt", second.StageSummary(1));
        var after = (await dataset.ReadManifestAsync())!;
        foreach (var kind in new[] { ShardNames.ImagesKind, ShardNames.MasksKind("rgb-rebuild") })
        {
            var versions = after.ShardsOf(kind).OrderBy(s => s.Index).Select(s => s.Version).ToList();
            Assert.Equal(Enumerable.Range(0, shards).Select(i => i == 0 ? 2 : 1), versions);
            foreach (var shard in after.ShardsOf(kind).Where(s => s.Index > 0))
                Assert.Equal(before.Find(kind, shard.Index)!.Sha256, shard.Sha256);
        }
        var captions = new List<string>();
        await foreach (var row in dataset.ReadImagesAsync(ImageColumns.Caption)) captions.Add(row.Caption);
        Assert.Contains(captions, c => c.Contains("zebra"));
        Assert.True((await dataset.VerifyAsync()).Ok);
    }
}
