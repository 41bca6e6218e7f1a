using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;
using SSeg.Pipelines.Runs;

namespace SSeg.Pipelines.Jobs;

/// <summary>
/// Marks the run failed when Hangfire gives up on its start or barrier job. Without it, such a job that exhausted its
/// retries leaves the run "running" with no job alive to ever finish it, across restarts. (Shard jobs that give up are
/// the barrier's to report: it polls their states and fails the stage with the first error.)
/// OnStateApplied sees FailedState only when Hangfire gave up: while attempts remain, AutomaticRetry has already turned
/// the candidate state into Scheduled during state election. The run hash is written in the same transaction as the
/// job's Failed state, so both are stored or neither.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class FailRunWhenJobGivesUpAttribute : JobFilterAttribute, IApplyStateFilter
{
    public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
        if (context.NewState is not FailedState failed || Target(context.BackgroundJob.Job) is not var (runId, stageIndex)) return;
        var fields = context.Connection.GetAllEntriesFromHash(RunStore.RunKey(runId));
        if (fields is null || RunStatus.IsFinal(fields.GetValueOrDefault("status"))) return; // a shard after the run ended
        var message = $"{context.BackgroundJob.Job.Method.Name} of stage {stageIndex} gave up (job {context.BackgroundJob.Id}): {failed.Exception.Message}";
        transaction.SetRangeInHash(RunStore.RunKey(runId),
            RunStore.FailureFields(stageIndex, message).Select(f => new KeyValuePair<string, string>(f.Field, f.Value)));
    }

    public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction) { }

    /// <summary>The run and stage a StageJobs job works on, from its arguments.</summary>
    private static (string RunId, int StageIndex)? Target(Job job) => (job.Method.Name, job.Args) switch
    {
        (nameof(StageJobs.StartStageAsync) or nameof(StageJobs.BarrierAsync), [string runId, int stage, ..]) => (runId, stage),
        _ => null,
    };
}
