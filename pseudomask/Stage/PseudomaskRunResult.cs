namespace SSeg.Pseudomask;

/// <summary>An image shard the stage could not read: its index, file and the reader's error.</summary>
public sealed record PseudomaskShardFailure(int Shard, string Path, string Reason)
{
    public string Message => $"shard {Shard} ({Path}): {Reason}";
}

/// <summary>
/// What a run over many shards did: one summary per shard processed and one failure per unreadable shard. A bad
/// shard does not stop the others; <see cref="Ok"/> is false when any failed, so callers end non-zero.
/// </summary>
public sealed record PseudomaskRunResult(IReadOnlyList<PseudomaskShardSummary> Shards, IReadOnlyList<PseudomaskShardFailure> Failed)
{
    public bool Ok => Failed.Count == 0;
}
