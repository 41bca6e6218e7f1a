using SSeg.Shards;

namespace SSeg.Ingest.Stage;

/// <summary>--retry-failed for a committed shard: re-attempt its retriable failures and republish the merged shard.</summary>
internal static class RetryFailedRunner
{
    public static async Task<ShardOutcome> RunAsync(IngestOptions options, Dataset dataset, ShardEntry entry, IProgress<IngestProgress>? progress, CancellationToken ct)
    {
        var failures = await dataset.ReadFailuresAsync(entry.Index, ct).ConfigureAwait(false);
        var retriable = failures.Count(f => FailureReasons.IsRetriable(f.Reason));
        if (retriable == 0)
            return ShardOutcome.SkippedShard(entry.Index, entry.Rows, entry.Failures, "no retriable failures");
        throw new NotSupportedException(
            $"--retry-failed: shard {entry.Index} has {retriable} retriable failures, but the shards library has no API yet to replace a committed shard atomically.");
    }
}
