using System.ComponentModel;
using System.Security.Cryptography;
using System.Text;
using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.Logging;
using SSeg.Pipelines.Runs;

namespace SSeg.Pipelines.Jobs;

/// <summary>
/// The Hangfire jobs of a run. StartStage plans a stage (or skips it), fans out one job per shard and a
/// barrier; the barrier re-schedules itself until the stage's output lists every shard, then starts the next
/// stage. Every job is idempotent: Hangfire may run any of them more than once.
/// </summary>
[FailRunWhenJobGivesUp]
public sealed class StageJobs(JobStorage storage, RunStore runs, StageRegistry stages, PipelineEngine engine, IBackgroundJobClient jobs, ILogger<StageJobs> log)
{
    [Queue(Hosting.Queues.Control)]
    [AutomaticRetry(Attempts = 3, DelaysInSeconds = [2, 5, 10])]
    [DisplayName("start stage {1} of run {0}")]
    public async Task StartStageAsync(string runId, int stageIndex, CancellationToken ct)
    {
        using var _ = runs.Lock(runId);
        var run = runs.Get(runId) ?? throw new InvalidOperationException($"Run {runId} does not exist.");
        if (RunStatus.IsFinal(run.Status)) return;
        if (stageIndex >= run.Definition.Stages.Count)
        {
            runs.Set(runId, ("status", RunStatus.Succeeded), ("finished", DateTime.UtcNow.ToString("O")));
            log.LogInformation("Run {RunId} succeeded", runId);
            return;
        }
        if (run.StageStatus(stageIndex) == RunStatus.Running)
        {
            // A second delivery of this job: the first may have died between marking the stage running and scheduling
            // its barrier, and then nothing would ever finish the stage. One more barrier is harmless (it only polls).
            ScheduleBarrier(runId, stageIndex);
            return;
        }
        if (run.StageStatus(stageIndex) != RunStatus.Pending) return; // duplicate delivery after the stage ended

        var definition = run.Definition.Stages[stageIndex];
        var adapter = stages.Find(definition.Stage)!;
        var context = engine.ContextFor(runId, run.Definition, stageIndex, run.Origin);
        StagePlan plan;
        try
        {
            plan = await adapter.PlanAsync(context, ct);
        }
        catch (Exception e) when (e is StageOptionException or ArgumentException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException or FormatException)
        {
            Fail(runId, stageIndex, $"{adapter.Name}: {e.Message}");
            return;
        }

        var upstream = stageIndex > 0 ? run.Field(RunFields.Fingerprint(stageIndex - 1)) ?? "" : "";
        var fingerprint = Hash(PipelineDefinition.OptionsHash(definition), plan.InputHash, upstream);
        var ledgerKey = LedgerKey(adapter, context);
        if (!run.Definition.Force && runs.GetLedger(run.Pipeline, ledgerKey) == fingerprint
            && await adapter.CountCompletedAsync(context, plan, ct) >= plan.Shards)
        {
            Skip(runId, stageIndex, "skipped: inputs and config unchanged", fingerprint);
            return;
        }

        var building = runs.GetLedger(run.Pipeline, ledgerKey + ":building");
        if (building is not null && building != fingerprint)
        {
            log.LogInformation("Run {RunId} stage {Stage} ({Name}): inputs or options changed since the last build; discarding its stale output",
                runId, stageIndex, adapter.Name);
            await adapter.DiscardStaleOutputAsync(context, ct);
        }
        runs.SetLedger(run.Pipeline, ledgerKey + ":building", fingerprint);

        var ids = new List<string>();
        for (var shard = 0; shard < plan.Shards; shard++)
        {
            var s = shard;
            ids.Add(jobs.Enqueue<StageJobs>(j => j.RunShardAsync(adapter.Queue, adapter.Name, runId, stageIndex, s, CancellationToken.None)));
        }
        runs.Set(runId,
            (RunFields.Status(stageIndex), RunStatus.Running),
            (RunFields.Started(stageIndex), DateTime.UtcNow.ToString("O")),
            (RunFields.Shards(stageIndex), plan.Shards.ToString()),
            (RunFields.Sharded(stageIndex), plan.Sharded ? "true" : "false"),
            (RunFields.Fingerprint(stageIndex), fingerprint),
            (RunFields.Jobs(stageIndex), string.Join(",", ids)));
        log.LogInformation("Run {RunId} stage {Stage} ({Name}): {Shards} job(s) on queue {Queue}",
            runId, stageIndex, adapter.Name, plan.Shards, adapter.Queue);
        ScheduleBarrier(runId, stageIndex);
    }

    [Queue("{0}")]
    [AutomaticRetry(Attempts = 2, DelaysInSeconds = [3, 10], ExceptOn = [typeof(StageOptionException), typeof(ArgumentException)])] // bad options and arguments never heal
    [DisplayName("{1} shard {4} of run {2}")]
    public async Task RunShardAsync(string queue, string stage, string runId, int stageIndex, int shard, CancellationToken ct)
    {
        var run = runs.Get(runId) ?? throw new InvalidOperationException($"Run {runId} does not exist.");
        var field = RunFields.Shard(stageIndex, shard);
        if (RunStatus.IsFinal(run.Status))
        {
            // A job fetched before the run ended (the others were deleted then): its output could only be thrown
            // away, and on the GPU queue it would hold the device for nothing.
            runs.Set(runId, (field, $"skipped: run {run.Status}"));
            log.LogInformation("Run {RunId}: {Stage} shard {Shard} skipped: run {Status}", runId, stage, shard, run.Status);
            return;
        }
        var adapter = stages.Find(stage) ?? throw new InvalidOperationException($"Unknown stage '{stage}'.");
        var context = engine.ContextFor(runId, run.Definition, stageIndex, run.Origin);
        var logged = DateTime.MinValue;
        var progress = new ThrottledProgress(p =>
        {
            runs.Set(runId, (field, p.ToString()));
            // The job's log (run page) gets a progress line now and then, not every update.
            if (DateTime.UtcNow - logged < TimeSpan.FromSeconds(10) && p.Done != p.Total) return;
            logged = DateTime.UtcNow;
            log.LogInformation("{Stage} shard {Shard}: {Progress}", stage, shard, p);
        }, TimeSpan.FromSeconds(1));
        runs.Set(runId, (field, "running"));
        log.LogInformation("Run {RunId}: {Stage} shard {Shard} started", runId, stage, shard);
        try
        {
            await adapter.RunShardAsync(context, shard, progress, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The run page shows the shard's field: the error instead of its last progress until a retry starts it again.
            runs.Set(runId, (field, $"failed: {e.Message}"));
            log.LogError("Run {RunId}: {Stage} shard {Shard} failed: {Error}", runId, stage, shard, e.Message);
            throw;
        }
        runs.Set(runId, (field, "done" + (progress.Last is { } last ? $": {last}" : "")));
        log.LogInformation("Run {RunId}: {Stage} shard {Shard} done", runId, stage, shard);
    }

    [Queue(Hosting.Queues.Control)]
    [AutomaticRetry(Attempts = 5, DelaysInSeconds = [2, 5, 10, 20, 30])]
    [DisplayName("barrier: stage {1} of run {0}")]
    public async Task BarrierAsync(string runId, int stageIndex, CancellationToken ct)
    {
        var run = runs.Get(runId) ?? throw new InvalidOperationException($"Run {runId} does not exist.");
        if (RunStatus.IsFinal(run.Status) || run.StageStatus(stageIndex) != RunStatus.Running) return;
        var definition = run.Definition.Stages[stageIndex];
        var adapter = stages.Find(definition.Stage)!;
        var context = engine.ContextFor(runId, run.Definition, stageIndex, run.Origin);
        var shards = run.StageShards(stageIndex);
        var sharded = run.Field(RunFields.Sharded(stageIndex)) != "false";
        var states = JobStates(run.StageJobs(stageIndex));
        // "Hangfire gave up" = a job in the Failed state: AutomaticRetry sends a failing job back to Scheduled while
        // attempts remain, so Failed is entered only after the last retry, or at once for exceptions it does not retry
        // (ExceptOn, e.g. StageOptionException). Deleted is a person giving up on it in Hangfire's dashboard.
        var failed = states.FirstOrDefault(s => s.State == FailedState.StateName || s.State == DeletedState.StateName);

        int completed;
        var shardFields = Enumerable.Range(0, shards).Select(s => run.Field(RunFields.Shard(stageIndex, s))).ToList();
        try
        {
            // A rebuild keeps the output of unchanged shards, so a shard listed in the output may still be waiting for
            // its job to rebuild it: a shard counts once its job of this run is done too (the run's field, which unlike
            // Hangfire's job state never expires during a days-long stage).
            completed = sharded
                ? Math.Min(await adapter.CountCompletedAsync(context, new StagePlan(shards, ""), ct),
                    shardFields.Count(f => f?.StartsWith("done", StringComparison.Ordinal) == true))
                : states.Count(s => s.State == SucceededState.StateName);
        }
        catch (Exception e) when (e is StageOptionException or ArgumentException)
        {
            // Options that cannot name the output never will: retrying the barrier would only leave the run "running".
            Fail(runId, stageIndex, failed is not null ? FailedJobMessage(adapter, failed) : $"{adapter.Name}: {e.Message}");
            return;
        }
        if (completed >= shards)
        {
            using var _ = runs.Lock(runId);
            if (runs.Get(runId)?.StageStatus(stageIndex) != RunStatus.Running) return;
            var summary = await adapter.SummarizeAsync(context, ct) + ShardRebuildNotes.Summarize(shardFields);
            runs.Set(runId,
                (RunFields.Status(stageIndex), RunStatus.Succeeded),
                (RunFields.Finished(stageIndex), DateTime.UtcNow.ToString("O")),
                (RunFields.Summary(stageIndex), summary));
            runs.SetLedger(run.Pipeline, LedgerKey(adapter, context), run.Field(RunFields.Fingerprint(stageIndex)) ?? "");
            log.LogInformation("Run {RunId} stage {Stage} ({Name}) complete: {Summary}", runId, stageIndex, adapter.Name, summary);
            jobs.Enqueue<StageJobs>(j => j.StartStageAsync(runId, stageIndex + 1, CancellationToken.None));
            return;
        }

        if (failed is not null)
        {
            Fail(runId, stageIndex, FailedJobMessage(adapter, failed));
            return;
        }
        if (states.Count > 0 && states.All(s => s.State == SucceededState.StateName))
        {
            Fail(runId, stageIndex, $"{adapter.Name}: all {states.Count} job(s) succeeded but the output lists {completed} of {shards} shard(s)");
            return;
        }
        ScheduleBarrier(runId, stageIndex);
    }

    /// <summary>Per pipeline, stage position and output (dataset or run name): what the skip and discard checks compare.</summary>
    private static string LedgerKey(IStageAdapter adapter, StageContext context) =>
        $"{context.StageIndex}:{adapter.Name}:{context.Get("dataset") ?? context.Get("run") ?? ""}";

    private void ScheduleBarrier(string runId, int stageIndex) =>
        jobs.Schedule<StageJobs>(j => j.BarrierAsync(runId, stageIndex, CancellationToken.None),
            TimeSpan.FromSeconds(Math.Max(1, engine.Settings.Jobs.BarrierIntervalSeconds)));

    private void Skip(string runId, int stageIndex, string summary, string? previousFingerprint)
    {
        var run = runs.Get(runId)!;
        var fingerprint = previousFingerprint ?? (stageIndex > 0 ? run.Field(RunFields.Fingerprint(stageIndex - 1)) ?? "" : "");
        runs.Set(runId,
            (RunFields.Status(stageIndex), RunStatus.Skipped),
            (RunFields.Summary(stageIndex), summary),
            (RunFields.Fingerprint(stageIndex), fingerprint));
        log.LogInformation("Run {RunId} stage {Stage} ({Name}) {Summary}", runId, stageIndex, run.Definition.Stages[stageIndex].Stage, summary);
        jobs.Enqueue<StageJobs>(j => j.StartStageAsync(runId, stageIndex + 1, CancellationToken.None));
    }

    private void Fail(string runId, int stageIndex, string message)
    {
        runs.Set(runId, RunStore.FailureFields(stageIndex, message));
        log.LogError("Run {RunId} failed at stage {Stage}: {Message}", runId, stageIndex, message);
        var dropped = DeleteWaitingShardJobs(runs.Get(runId)?.StageJobs(stageIndex) ?? []);
        if (dropped > 0) log.LogInformation("Run {RunId} stage {Stage}: {Dropped} shard job(s) not started were deleted", runId, stageIndex, dropped);
    }

    /// <summary>
    /// Deletes the shard jobs of a failed run that have not started: enqueued, or scheduled for a retry. A failed
    /// 2,600-shard stage would otherwise keep its queue (a GPU) busy with work nobody will use. Hangfire changes the
    /// state only from the state named, so a job a worker has taken in the meantime is left alone (it sees the failed
    /// run and skips itself).
    /// </summary>
    private int DeleteWaitingShardJobs(IReadOnlyList<string> ids)
    {
        var deleted = 0;
        foreach (var id in ids)
            if (jobs.ChangeState(id, new DeletedState { Reason = "run failed" }, EnqueuedState.StateName)
                || jobs.ChangeState(id, new DeletedState { Reason = "run failed" }, ScheduledState.StateName))
                deleted++;
        return deleted;
    }

    private static string FailedJobMessage(IStageAdapter adapter, JobState failed) =>
        $"{adapter.Name}: job {failed.JobId} {failed.State.ToLowerInvariant()}: {failed.Reason}";

    private sealed record JobState(string JobId, string State, string Reason);

    private List<JobState> JobStates(IReadOnlyList<string> ids)
    {
        using var connection = storage.GetConnection();
        return ids.Select(id =>
        {
            var data = connection.GetStateData(id);
            var reason = data?.Data is { } d && d.TryGetValue("ExceptionMessage", out var message) ? message : (data?.Reason ?? "");
            return new JobState(id, data?.Name ?? "unknown", reason ?? "");
        }).ToList();
    }

    private static string Hash(params string[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", parts))));
}
