namespace SSeg.Ingest.Stage;

/// <summary>A snapshot of one shard's progress: input rows of the slice, rows finished, how many succeeded.</summary>
public readonly record struct IngestProgress(int Shard, int InputRows, int Done, int Succeeded, int Failed, long BytesDownloaded);

/// <summary>What one shard run did.</summary>
public sealed record ShardOutcome(
    int Shard,
    bool Skipped,
    long InputRows,
    long Rows,
    long Failures,
    IReadOnlyDictionary<string, long> FailuresByReason,
    TimeSpan Elapsed,
    long BytesDownloaded,
    string? Note = null)
{
    /// <summary>
    /// --retry-failed found the shard's manifest entry changed by someone else while it ran: nothing was replaced
    /// (its files were removed) and <see cref="Note"/> says so. Run the retry again to retry the new entry.
    /// </summary>
    public bool Conflict { get; init; }

    public static ShardOutcome SkippedShard(int shard, long rows, long failures, string note) =>
        new(shard, true, 0, rows, failures, new Dictionary<string, long>(), TimeSpan.Zero, 0, note);
}
