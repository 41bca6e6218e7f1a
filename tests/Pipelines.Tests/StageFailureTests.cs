using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.DependencyInjection;
using SSeg.Pipelines.Jobs;
using SSeg.Pipelines.Runs;
using SSeg.Tests.Common;

namespace SSeg.Pipelines.Tests;

/// <summary>A stage whose jobs Hangfire gave up on fails its run with the error (issue 17): no run stays "running" with no job alive.</summary>
public sealed class StageFailureTests
{
    [Fact]
    public async Task A_stage_whose_jobs_fail_non_retryably_fails_the_run_with_the_error()
    {
        await using var host = await TestHost.StartAsync(RepoPaths.NewTempDir("sseg-stage-fails"));
        // Stored as an older host did, without validation: the pseudomask's generator id escapes the data root.
        var pseudomask = new StageDefinition { Stage = "pseudomask" };
        pseudomask.Options["dataset"] = "shapes";
        pseudomask.Options["feature"] = "rgb";
        pseudomask.Options["generatorId"] = "../../../tmp/evil";
        var definition = new PipelineDefinition { Name = "fails", Stages = [TestHost.IngestStage("shapes", host.WriteSample(6)), pseudomask] };
        var runId = RunStore.NewRunId();
        host.Runs.Create(runId, definition, "older host", OptionOrigin.Trusted);
        host.App.Services.GetRequiredService<IBackgroundJobClient>().Enqueue<StageJobs>(j => j.StartStageAsync(runId, 0, CancellationToken.None));

        var run = await host.WaitAsync(runId, TimeSpan.FromSeconds(120)); // throws TimeoutException if it stays running
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(RunStatus.Succeeded, run.StageStatus(0));
        Assert.Equal(RunStatus.Failed, run.StageStatus(1));
        Assert.Contains("option 'generatorId' must be a name", run.Message);
        Assert.Contains("option 'generatorId' must be a name", run.StageSummary(1));
        Assert.StartsWith("failed: ", run.ShardProgress(1, 0));
        Assert.False(Directory.Exists("/tmp/evil"));
    }

    [Fact]
    public async Task A_barrier_job_that_Hangfire_gives_up_on_fails_its_run()
    {
        await using var host = await TestHost.StartAsync(RepoPaths.NewTempDir("sseg-barrier-gives-up"));
        var definition = new PipelineDefinition { Name = "gives-up", Stages = [TestHost.IngestStage("shapes", host.WriteSample(2))] };
        var runId = RunStore.NewRunId();
        host.Runs.Create(runId, definition, "test", OptionOrigin.Trusted);
        host.Runs.Set(runId, (RunFields.Status(0), RunStatus.Running));
        var client = host.App.Services.GetRequiredService<IBackgroundJobClient>();
        var barrier = client.Schedule<StageJobs>(j => j.BarrierAsync(runId, 0, CancellationToken.None), TimeSpan.FromHours(1));

        // A failure with attempts left: AutomaticRetry schedules the job again, and the run goes on.
        client.ChangeState(barrier, new FailedState(new IOException("storage unreachable")));
        using var connection = JobStorage.Current.GetConnection();
        Assert.Equal(ScheduledState.StateName, connection.GetStateData(barrier)?.Name);
        Assert.Equal(RunStatus.Running, host.Runs.Get(runId)!.Status);

        // The same failure after the last attempt (the barrier allows 5 retries): Hangfire gives up, and so does the run.
        connection.SetJobParameter(barrier, "RetryCount", "5");
        client.ChangeState(barrier, new FailedState(new IOException("storage unreachable")));
        Assert.Equal(FailedState.StateName, connection.GetStateData(barrier)?.Name);

        var run = host.Runs.Get(runId)!;
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(RunStatus.Failed, run.StageStatus(0));
        Assert.Contains("storage unreachable", run.Message);
        Assert.Contains("gave up", run.StageSummary(0));
    }
}
