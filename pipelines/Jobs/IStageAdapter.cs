namespace SSeg.Pipelines.Jobs;

/// <summary>
/// Plugs one stage library into the host. The stage keeps its own plain entry point; the adapter turns the
/// string options of a pipeline definition or the Run form into that entry point's options, says how many
/// shard jobs the stage fans out to, and how to tell from the data root that the stage's output is complete.
/// </summary>
public interface IStageAdapter
{
    /// <summary>Stage name used in pipeline files and the Run form (ingest, pseudomask, train, ...).</summary>
    string Name { get; }

    string Description { get; }

    /// <summary>Hangfire queue: cpu or gpu.</summary>
    string Queue { get; }

    /// <summary>Options the Run form shows and a pipeline file may set.</summary>
    IReadOnlyList<StageOption> Options { get; }

    /// <summary>Errors in the options (missing, malformed, a manifest that does not exist); empty when valid.</summary>
    IReadOnlyList<string> Validate(StageContext context);

    /// <summary>How many jobs the stage fans out to and a hash of its inputs (manifest bytes, upstream output).</summary>
    Task<StagePlan> PlanAsync(StageContext context, CancellationToken ct);

    /// <summary>
    /// Called before fanning out when the stage's output was last written from other inputs or options (a changed
    /// manifest, a new shard size): discard what would mix with the rebuild. Not called when resuming the same build.
    /// </summary>
    Task DiscardStaleOutputAsync(StageContext context, CancellationToken ct);

    /// <summary>Runs shard <paramref name="shard"/> (or the whole run when the plan has one unsharded unit). Idempotent.</summary>
    Task RunShardAsync(StageContext context, int shard, IProgress<StageProgress> progress, CancellationToken ct);

    /// <summary>How many of the planned shards the output lists as committed (what the barrier waits for).</summary>
    Task<int> CountCompletedAsync(StageContext context, StagePlan plan, CancellationToken ct);

    /// <summary>A one-line summary of the stage's output for the run page and the demo.</summary>
    Task<string> SummarizeAsync(StageContext context, CancellationToken ct);
}

/// <summary>Shards: number of jobs. InputHash: what the stage reads (not its options; the engine adds those).</summary>
public sealed record StagePlan(int Shards, string InputHash, bool Sharded = true);

/// <summary>Progress of one job: Done of Total units (Total null when unknown) and an optional note.</summary>
public sealed record StageProgress(long Done, long? Total, string Unit, string? Note = null)
{
    public override string ToString() =>
        (Total is { } t ? $"{Done}/{t} {Unit}" : $"{Done} {Unit}") + (Note is null ? "" : $" ({Note})");
}
