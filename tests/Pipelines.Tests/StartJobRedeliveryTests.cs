using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using SSeg.Pipelines.Jobs;
using SSeg.Pipelines.Runs;
using SSeg.Tests.Common;
using Xunit;

namespace SSeg.Pipelines.Tests;

/// <summary>
/// A host killed inside a stage's start job, after it marked the stage running and enqueued the shard jobs but before
/// it scheduled the barrier: Hangfire delivers the start job again, and that delivery must get the stage finished.
/// </summary>
public sealed class StartJobRedeliveryTests
{
    [Fact]
    public async Task A_redelivered_start_job_of_a_running_stage_schedules_the_barrier_that_finishes_it()
    {
        await using var host = await TestHost.StartAsync(RepoPaths.NewTempDir("sseg-redeliver"));
        var definition = new PipelineDefinition { Name = "redeliver", Stages = [TestHost.IngestStage("shapes", host.WriteSample(6), shardSize: 8)] };
        var runId = RunStore.NewRunId();
        host.Runs.Create(runId, definition, "test", OptionOrigin.Trusted);

        // The state the killed start job left behind: the stage running with its shard jobs enqueued, no barrier.
        var adapter = host.App.Services.GetRequiredService<StageRegistry>().Find("ingest")!;
        var plan = await adapter.PlanAsync(host.Engine.ContextFor(runId, definition, 0, OptionOrigin.Trusted), CancellationToken.None);
        var client = host.App.Services.GetRequiredService<IBackgroundJobClient>();
        var ids = Enumerable.Range(0, plan.Shards)
            .Select(shard => client.Enqueue<StageJobs>(j => j.RunShardAsync(adapter.Queue, adapter.Name, runId, 0, shard, CancellationToken.None)))
            .ToList();
        host.Runs.Set(runId,
            (RunFields.Status(0), RunStatus.Running),
            (RunFields.Shards(0), plan.Shards.ToString()),
            (RunFields.Sharded(0), plan.Sharded ? "true" : "false"),
            (RunFields.Fingerprint(0), "redelivered"),
            (RunFields.Jobs(0), string.Join(",", ids)));

        client.Enqueue<StageJobs>(j => j.StartStageAsync(runId, 0, CancellationToken.None));
        var deadline = DateTime.UtcNow.AddSeconds(90);
        RunRecord run;
        while (!RunStatus.IsFinal((run = host.Runs.Get(runId)!).Status) && DateTime.UtcNow < deadline) await Task.Delay(250);
        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(RunStatus.Succeeded, run.StageStatus(0));
        Assert.Contains("6", run.StageSummary(0));
    }
}
