using System.Diagnostics;
using SSeg.Ingest.Manifests;
using SSeg.Shards;

namespace SSeg.Ingest.Stage;

/// <summary>
/// --retry-failed for a committed shard: re-attempt its retriable failures and publish the merged shard (old rows +
/// recovered rows + remaining failures) with a replacement writer. Its commit swaps the manifest entry only while
/// the manifest still lists <c>entry</c>; if someone changed the shard meanwhile, nothing is replaced, the retry's
/// files are removed and the outcome reports a conflict. A crash at any point leaves the old shard listed.
/// </summary>
internal static class RetryFailedRunner
{
    public static async Task<ShardOutcome> RunAsync(IngestOptions options, Dataset dataset, ShardEntry entry, ManifestSlice slice, string fingerprint,
        IProgress<IngestProgress>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var shard = entry.Index;
        var failures = await dataset.ReadFailuresAsync(shard, ct);
        var retriable = failures.Where(f => f.Key is not null && FailureReasons.IsRetriable(f.Reason)).ToHashSet();
        if (retriable.Count == 0)
            return ShardOutcome.SkippedShard(shard, entry.Rows, entry.Failures, "no retriable failures");

        var byKey = slice.Rows.ToDictionary(slice.KeyOf);
        var tally = new IngestStage.Tally(shard, (int)(entry.Rows + entry.Failures), progress);
        var counters = new PipelineCounters();

        await using var writer = await dataset.CreateReplacementImageShardWriterAsync(entry, options.WriterOptions(), ct);
        writer.InputRows = slice.Rows.Count;
        writer.InputFingerprint = fingerprint;
        await using (var old = await dataset.OpenImageShardAsync(shard, ct))
            await WriterThread.RunAsync(() => CopyRows(old, writer, tally, ct), ct);
        var work = new List<WorkItem>();
        foreach (var f in failures)
        {
            if (retriable.Contains(f) && byKey.TryGetValue(f.Key!, out var row) && !row.IsMalformed && row.Url is not null)
                work.Add(new WorkItem(row, f.Key!));
            else
                tally.Add(writer, f);
        }
        await SamplePipeline.IngestIntoAsync(work, options, writer, tally, counters, ct);
        IngestStage.FillStats(writer, counters, 0, clock.Elapsed.TotalSeconds);
        writer.Counters["retried"] = work.Count;

        var committed = await writer.CommitAsync(ct);
        if (!committed.Replaced)
        {
            var now = committed.Entry.Path == entry.Path && committed.Entry.Sha256 == entry.Sha256 ? "no longer listed" : $"now {committed.Entry.Path}";
            return ShardOutcome.SkippedShard(shard, committed.Entry.Rows, committed.Entry.Failures,
                $"conflict: shard {shard} changed while retrying (was {entry.Path}, {now}); nothing replaced, run --retry-failed again")
                with { Conflict = true };
        }
        var recovered = committed.Entry.Rows - entry.Rows;
        return new ShardOutcome(shard, false, slice.Rows.Count, committed.Entry.Rows, committed.Entry.Failures, tally.ByReason,
            clock.Elapsed, counters.BytesDownloaded, $"retried {retriable.Count}, recovered {recovered}");
    }

    private static void CopyRows(ImageShardReader old, ImageShardWriter writer, IngestStage.Tally tally, CancellationToken ct)
    {
        var rows = old.ReadRowsAsync(ct: ct).GetAsyncEnumerator(ct);
        try
        {
            while (WriterThread.Wait(rows.MoveNextAsync()))
            {
                WriterThread.Wait(writer.AddAsync(rows.Current, ct));
                tally.Done(true, 0);
            }
        }
        finally
        {
            WriterThread.Wait(rows.DisposeAsync());
        }
    }
}
