using System.Globalization;
using Hangfire;
using Microsoft.Extensions.Logging;
using SSeg.Pipelines.Jobs;

namespace SSeg.Pipelines.Runs;

/// <summary>
/// What an operator does to a run from its page: cancel it, retry the failed jobs of a stage, or rerun the pipeline
/// from a stage. Each returns a sentence for the page, or throws RunControlException with the reason it cannot.
/// </summary>
public sealed class RunControl(RunStore runs, PipelineEngine engine, IBackgroundJobClient jobs, JobStorage storage, ILogger<RunControl> log)
{
    /// <summary>Marks the run cancelled and deletes its stage jobs that have not finished (a running one is signalled).</summary>
    public string Cancel(string runId)
    {
        using var _ = runs.Lock(runId);
        var run = Require(runId);
        if (RunStatus.IsFinal(run.Status)) throw new RunControlException($"run {runId} is already {run.Status}");
        var fields = new List<(string, string)>
        {
            ("status", RunStatus.Cancelled),
            ("message", "cancelled by an operator"),
            ("finished", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture)),
        };
        var deleted = 0;
        for (var i = 0; i < run.Definition.Stages.Count; i++)
        {
            if (run.StageStatus(i) != RunStatus.Running) continue;
            fields.Add((RunFields.Status(i), RunStatus.Cancelled));
            foreach (var id in run.StageJobs(i))
                if (!IsFinalJobState(StateOf(id)) && jobs.Delete(id)) deleted++;
        }
        runs.Set(runId, fields.ToArray());
        log.LogInformation("Run {RunId} cancelled by an operator ({Jobs} job(s) deleted)", runId, deleted);
        return $"Run {runId} cancelled; {deleted} unfinished job(s) deleted.";
    }

    /// <summary>
    /// Requeues the stage's jobs that failed, were deleted, or returned early because the run had already failed;
    /// shard jobs are idempotent, so a committed shard is skipped. The run is running again from that stage.
    /// </summary>
    public string RetryFailed(string runId, int stageIndex)
    {
        using var _ = runs.Lock(runId);
        var run = Require(runId);
        RequireStage(run, stageIndex);
        var status = run.StageStatus(stageIndex);
        if (status is not (RunStatus.Failed or RunStatus.Running or RunStatus.Cancelled))
            throw new RunControlException($"stage {stageIndex + 1} is {status}; only a failed, cancelled or running stage has jobs to retry");
        var ids = run.StageJobs(stageIndex);
        var retry = ids.Where((id, shard) => StateOf(id) switch
        {
            "Failed" or "Deleted" => true,
            "Succeeded" => run.ShardProgress(stageIndex, shard)?.StartsWith("done", StringComparison.Ordinal) != true,
            _ => false,
        }).ToList();
        if (retry.Count == 0)
            throw new RunControlException($"stage {stageIndex + 1} has no failed jobs" + (ids.Count == 0 ? " (it failed before starting any; rerun from it instead)" : ""));
        var fields = new List<(string, string)> { (RunFields.Status(stageIndex), RunStatus.Running), ("status", RunStatus.Running), ("message", "") };
        if (RunStatus.IsFinal(run.Status)) fields.Add(("finished", ""));
        runs.Set(runId, fields.ToArray());
        foreach (var id in retry) jobs.Requeue(id);
        if (status != RunStatus.Running) ScheduleBarrier(runId, stageIndex); // the old barrier ended with the stage
        log.LogInformation("Run {RunId} stage {Stage}: {Jobs} job(s) requeued by an operator", runId, stageIndex, retry.Count);
        return $"Stage {stageIndex + 1}: {retry.Count} job(s) requeued.";
    }

    /// <summary>
    /// Starts a new run of this run's pipeline from <paramref name="stageIndex"/> on, forced (a stage is redone even when
    /// its inputs are unchanged), with the options and option origin of the original run. Returns the new run's id.
    /// </summary>
    public string RerunFrom(string runId, int stageIndex, out string message)
    {
        var run = Require(runId);
        RequireStage(run, stageIndex);
        if (!RunStatus.IsFinal(run.Status)) throw new RunControlException($"run {runId} is still {run.Status}; cancel it first");
        var definition = PipelineDefinition.FromStoredJson(run.Definition.ToJson());
        definition.Stages = definition.Stages.Skip(stageIndex).ToList();
        definition.Force = true;
        definition.Cron = null;
        string newId;
        try
        {
            newId = engine.Start(definition, $"rerun of {runId} from stage {stageIndex + 1}", run.Origin);
        }
        catch (PipelineDefinitionException e)
        {
            throw new RunControlException(e.Message);
        }
        message = $"Run {newId} started: {run.Pipeline} from stage {stageIndex + 1} ({run.Definition.Stages[stageIndex].Stage}).";
        return newId;
    }

    private RunRecord Require(string runId) => runs.Get(runId) ?? throw new RunControlException($"no run {runId}");

    private static void RequireStage(RunRecord run, int stageIndex)
    {
        if (stageIndex < 0 || stageIndex >= run.Definition.Stages.Count)
            throw new RunControlException($"run {run.Id} has no stage {stageIndex + 1}");
    }

    private string? StateOf(string jobId)
    {
        using var connection = storage.GetConnection();
        return connection.GetStateData(jobId)?.Name;
    }

    private static bool IsFinalJobState(string? state) =>
        state is "Succeeded" or "Failed" or "Deleted";

    private void ScheduleBarrier(string runId, int stageIndex) =>
        jobs.Schedule<StageJobs>(j => j.BarrierAsync(runId, stageIndex, CancellationToken.None),
            TimeSpan.FromSeconds(Math.Max(1, engine.Settings.Jobs.BarrierIntervalSeconds)));
}

/// <summary>Why an operator action was refused; shown on the page.</summary>
public sealed class RunControlException(string message) : Exception(message);
