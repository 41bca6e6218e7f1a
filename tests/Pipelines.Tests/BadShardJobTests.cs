using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using SSeg.Pipelines.Jobs;
using SSeg.Pipelines.Runs;
using SSeg.Shards;
using SSeg.Tests.Common;
using SSeg.Train.Synthetic;

namespace SSeg.Pipelines.Tests;

/// <summary>Issue 18 item 4 under Hangfire: the pseudomask job of a truncated image shard fails with the shard's index,
/// file and the reader's error; the jobs of the readable shards write their masks.</summary>
public sealed class BadShardJobTests
{
    [Fact]
    public async Task The_job_of_a_truncated_shard_fails_naming_it_and_the_other_shards_get_masks()
    {
        await using var host = await TestHost.StartAsync(RepoPaths.NewTempDir("sseg-job-bad-shard"));
        var dataset = await SyntheticShapes.WriteDatasetAsync(host.Root, "shapes-bad", images: 12, shards: 3, size: 64, seed: 2);
        var bad = (await dataset.GetManifestAsync()).Find(ShardNames.ImagesKind, 1)!.Path;
        await using (var stream = new FileStream(Path.Combine(host.Root, dataset.KeyOf(bad).Replace('/', Path.DirectorySeparatorChar)), FileMode.Open, FileAccess.Write))
            stream.SetLength(stream.Length / 2);

        var pseudomask = new StageDefinition { Stage = "pseudomask" };
        foreach (var (key, value) in new[] { ("dataset", "shapes-bad"), ("feature", "rgb"), ("k", "2"), ("maxSide", "32"), ("threads", "2"), ("generatorId", "rgb-test") })
            pseudomask.Options[key] = value;
        var runId = RunStore.NewRunId();
        host.Runs.Create(runId, new PipelineDefinition { Name = "bad-shard", Stages = [pseudomask] }, "test", OptionOrigin.Trusted);
        host.App.Services.GetRequiredService<IBackgroundJobClient>().Enqueue<StageJobs>(j => j.StartStageAsync(runId, 0, CancellationToken.None));

        var run = await host.WaitAsync(runId, TimeSpan.FromSeconds(180));
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.StartsWith($"failed: images shard 1 ({bad}) is unreadable: ", run.ShardProgress(0, 1));
        Assert.Contains($"images shard 1 ({bad}) is unreadable", run.Message);
        // One GPU worker runs the queue in order: shard 2 runs before the bad shard's first retry (3 s later).
        Assert.True(await dataset.IsMaskCommittedAsync("rgb-test", 0));
        Assert.True(await dataset.IsMaskCommittedAsync("rgb-test", 2));
    }
}
