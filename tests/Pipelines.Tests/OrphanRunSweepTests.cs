using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using SSeg.Pipelines.Jobs;
using SSeg.Pipelines.Runs;
using SSeg.Tests.Common;

namespace SSeg.Pipelines.Tests;

/// <summary>
/// Issue 17 item 2, the last gap: a run left "running" with no job alive (its jobs deleted or lost) is failed by the
/// next host start, with a message; a run with a live job (waiting on a queue no worker serves) is left running, and
/// so is one created less than a minute ago.
/// </summary>
public sealed class OrphanRunSweepTests
{
    [Fact]
    public async Task A_host_start_fails_runs_with_no_live_job_and_leaves_the_others()
    {
        var root = RepoPaths.NewTempDir("sseg-sweep");
        string orphan, waiting, deleted, young;
        await using (var host = await TestHost.StartAsync(root, new Dictionary<string, string?> { ["Jobs:NoServer"] = "true" }))
        {
            var definition = new PipelineDefinition { Name = "sweep", Stages = [new StageDefinition { Stage = "pseudomask" }] };
            var jobs = host.App.Services.GetRequiredService<IBackgroundJobClient>();
            orphan = RunStore.NewRunId();
            host.Runs.Create(orphan, definition, "test", OptionOrigin.Trusted); // running, no job ever enqueued

            waiting = RunStore.NewRunId();
            host.Runs.Create(waiting, definition, "test", OptionOrigin.Trusted);
            var live = jobs.Enqueue<StageJobs>(j => j.RunShardAsync("nobody", "pseudomask", waiting, 0, 0, CancellationToken.None));
            host.Runs.Set(waiting, (RunFields.Status(0), RunStatus.Running), (RunFields.Jobs(0), live));

            deleted = RunStore.NewRunId();
            host.Runs.Create(deleted, definition, "test", OptionOrigin.Trusted);
            var gone = jobs.Enqueue<StageJobs>(j => j.RunShardAsync("nobody", "pseudomask", deleted, 0, 0, CancellationToken.None));
            host.Runs.Set(deleted, (RunFields.Status(0), RunStatus.Running), (RunFields.Jobs(0), gone));
            Assert.True(jobs.Delete(gone));

            young = RunStore.NewRunId();
            host.Runs.Create(young, definition, "test", OptionOrigin.Trusted); // may be between its record and its first job
            var old = DateTime.UtcNow.AddMinutes(-5).ToString("O");
            foreach (var id in new[] { orphan, waiting, deleted }) host.Runs.Set(id, ("created", old));
        }

        await using var restarted = await TestHost.StartAsync(root);
        foreach (var id in new[] { orphan, deleted })
        {
            var run = restarted.Runs.Get(id)!;
            Assert.Equal(RunStatus.Failed, run.Status);
            Assert.Equal(RunStatus.Failed, run.StageStatus(0));
            Assert.Contains("no job of this run was alive when a host started", run.Message);
        }
        Assert.Equal(RunStatus.Running, restarted.Runs.Get(waiting)!.Status);
        Assert.Equal(RunStatus.Running, restarted.Runs.Get(young)!.Status);
    }
}
