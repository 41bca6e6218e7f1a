using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.DependencyInjection;
using SSeg.Pipelines.Hosting;
using SSeg.Pipelines.Jobs;
using SSeg.Pipelines.Runs;
using SSeg.Shards;
using SSeg.Tests.Common;
using SSeg.Train.Synthetic;

namespace SSeg.Pipelines.Tests;

/// <summary>Issue 18 item 4: once a run has failed, the shard jobs of it that have not started are not run. Those still
/// waiting are deleted; one a worker had already taken skips itself and says so on the run page.</summary>
public sealed class FailedRunShardJobTests
{
    [Fact]
    public async Task When_a_truncated_shard_fails_the_run_its_waiting_shard_jobs_are_deleted_and_a_taken_one_skips()
    {
        await using var host = await TestHost.StartAsync(RepoPaths.NewTempDir("sseg-failed-run-jobs"));
        var (runId, dataset, bad) = await TruncatedShardRun.CreateAsync(host, "failed-run");
        var client = host.App.Services.GetRequiredService<IBackgroundJobClient>();
        using var connection = JobStorage.Current.GetConnection();

        // A stage in the middle of a long queue: shards 0 and 2 wait behind other work (scheduled an hour out), the bad
        // shard 1 runs now with its retries used up, so Hangfire gives up on it at its first failure.
        string ShardJob(int shard) => client.Schedule<StageJobs>(
            j => j.RunShardAsync(Queues.Gpu, "pseudomask", runId, 0, shard, CancellationToken.None), TimeSpan.FromHours(1));
        var ids = Enumerable.Range(0, 3).Select(ShardJob).ToArray();
        connection.SetJobParameter(ids[1], "RetryCount", "2");
        host.Runs.Set(runId, ("status", RunStatus.Running), (RunFields.Status(0), RunStatus.Running), (RunFields.Shards(0), "3"),
            (RunFields.Sharded(0), "true"), (RunFields.Jobs(0), string.Join(",", ids)));
        client.ChangeState(ids[1], new EnqueuedState(Queues.Gpu), ScheduledState.StateName);
        client.Enqueue<StageJobs>(j => j.BarrierAsync(runId, 0, CancellationToken.None));

        var run = await host.WaitAsync(runId, TimeSpan.FromSeconds(120));
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Contains($"images shard 1 ({bad}) is unreadable", run.Message);
        Assert.Equal(FailedState.StateName, connection.GetStateData(ids[1])?.Name);
        // The run is marked failed first (so a worker taking a job sees it), its waiting jobs are deleted right after.
        foreach (var waiting in new[] { ids[0], ids[2] })
        {
            var state = await WaitForStateAsync(connection, waiting, DeletedState.StateName, TimeSpan.FromSeconds(30));
            Assert.Equal(DeletedState.StateName, state?.Name);
            Assert.Equal("run failed", state?.Reason);
        }

        // A job a worker took just before the run failed: it records that it skipped and writes no masks.
        var taken = client.Enqueue<StageJobs>(j => j.RunShardAsync(Queues.Gpu, "pseudomask", runId, 0, 0, CancellationToken.None));
        var takenState = await WaitForStateAsync(connection, taken, SucceededState.StateName, TimeSpan.FromSeconds(60));
        Assert.True(takenState?.Name == SucceededState.StateName, $"job {taken} is {takenState?.Name}");
        Assert.Equal("skipped: run failed", host.Runs.Get(runId)!.ShardProgress(0, 0));
        Assert.False(await dataset.IsMaskCommittedAsync("rgb-test", 0));
        Assert.False(await dataset.IsMaskCommittedAsync("rgb-test", 2));
    }

    private static async Task<Hangfire.Storage.StateData?> WaitForStateAsync(Hangfire.Storage.IStorageConnection connection, string jobId,
        string state, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var data = connection.GetStateData(jobId);
        while (data?.Name != state && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            data = connection.GetStateData(jobId);
        }
        return data;
    }
}
