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
        var (runId, dataset, bad) = await TruncatedShardRun.CreateAsync(host, "bad-shard");
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
