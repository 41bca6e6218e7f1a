using System.Diagnostics;
using SSeg.Ingest.Download;
using SSeg.Ingest.Images;
using SSeg.Ingest.Manifests;
using SSeg.Shards;

namespace SSeg.Ingest.Stage;

/// <summary>
/// The ingest stage's entry point: one call ingests one shard (input rows [i·N, (i+1)·N)) into
/// datasets/&lt;name&gt;/images/part-i.parquet with its stats.json and failures.parquet. Idempotent: a committed
/// shard whose input fingerprint (<see cref="ShardInputFingerprint"/>) is unchanged is skipped (or, with RetryFailed,
/// its failed URLs are tried again and the merged shard republished); one made from other rows is rebuilt.
/// The CLI, the Hangfire job and the tests all call <see cref="RunShardAsync"/>.
/// </summary>
public static class IngestStage
{
    /// <summary>Number of shards the sources make at the configured shard size (one streaming pass).</summary>
    public static int CountShards(IngestOptions options) =>
        ManifestSet.ShardCount(new ManifestSet(options.Sources, options.Manifest).CountRows(), options.ShardSize);

    public static async Task<ShardOutcome> RunShardAsync(IngestOptions options, int shardIndex, IProgress<IngestProgress>? progress, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shardIndex);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ShardSize, 1);
        var store = DatasetStore.Open(options.Root, options.AzureConnectionString);
        var dataset = await store.CreateOrOpenAsync(options.Dataset, options.SourceDescription, options.ConfigHash(), ct);
        var entry = await dataset.FindCommittedAsync(ShardNames.ImagesKind, shardIndex, ct);

        var clock = Stopwatch.StartNew();
        var manifestSet = new ManifestSet(options.Sources, options.Manifest);
        var slice = await Task.Run(() => manifestSet.ReadSlice(shardIndex, options.ShardSize, options.Dedupe), ct);
        if (slice.Rows.Count == 0)
            throw new ArgumentOutOfRangeException(nameof(shardIndex), shardIndex,
                $"Shard {shardIndex} is past the end of the input ({options.SourceDescription}, shard size {options.ShardSize}).");
        var readSeconds = clock.Elapsed.TotalSeconds;
        // A committed shard made from the same rows and options is kept; one made from other rows (an edited row, a
        // slice that grew) or with no recorded fingerprint is rebuilt as its next version.
        var fingerprint = ShardInputFingerprint.Of(slice, options);
        if (entry is not null && entry.InputFingerprint == fingerprint)
        {
            if (options.RetryFailed)
                return await RetryFailedRunner.RunAsync(options, dataset, entry, slice, fingerprint, progress, ct);
            return ShardOutcome.SkippedShard(shardIndex, entry.Rows, entry.Failures, UnchangedNote);
        }

        await using var writer = entry is null
            ? await dataset.CreateImageShardWriterAsync(shardIndex, options.WriterOptions(), ct)
            : await dataset.CreateReplacementImageShardWriterAsync(entry, options.WriterOptions(), ct);
        writer.InputRows = slice.Rows.Count;
        writer.InputFingerprint = fingerprint;
        var tally = new Tally(shardIndex, slice.Rows.Count, progress);

        var work = new List<WorkItem>(slice.Rows.Count);
        long malformed = 0, duplicates = 0;
        foreach (var row in slice.Rows)
        {
            var key = slice.KeyOf(row);
            if (row.IsMalformed)
            {
                malformed++;
                tally.Add(writer, new FailureRow(row.Url, key, FailureReasons.MalformedRow, $"{row.Location}: {row.Malformed}"));
            }
            else if (slice.DuplicateOf.TryGetValue(row.Index, out var first))
            {
                duplicates++;
                tally.Add(writer, new FailureRow(row.Url, key, FailureReasons.Duplicate, $"{row.Location}: same URL as {first}"));
            }
            else
            {
                work.Add(new WorkItem(row, key));
            }
        }

        var counters = new PipelineCounters();
        await SamplePipeline.IngestIntoAsync(work, options, writer, tally, counters, ct);

        FillStats(writer, counters, readSeconds, clock.Elapsed.TotalSeconds);
        writer.Counters["malformed_rows"] = malformed;
        writer.Counters["duplicates"] = duplicates;
        var result = await writer.CommitAsync(ct);
        if (entry is not null && !result.Replaced)
            return ShardOutcome.SkippedShard(shardIndex, result.Entry.Rows, result.Entry.Failures,
                $"conflict: shard {shardIndex} changed while rebuilding (was version {entry.Version}); nothing replaced, run again") with { Conflict = true };
        return new ShardOutcome(shardIndex, false, slice.Rows.Count, result.Entry.Rows, result.Entry.Failures,
            tally.ByReason, clock.Elapsed, counters.BytesDownloaded,
            entry is not null ? $"{RebuiltNote} (input changed since version {entry.Version})"
            : result.AlreadyCommitted ? "another run committed it first" : null);
    }

    /// <summary>Outcome notes of a rebuild, which the host counts for the stage summary.</summary>
    public const string UnchangedNote = "unchanged", RebuiltNote = "rebuilt";

    internal static void FillStats(ImageShardWriter writer, PipelineCounters counters, double readSeconds, double totalSeconds)
    {
        var tick = 1.0 / Stopwatch.Frequency;
        writer.TimingsSeconds["manifest_read"] = readSeconds;
        writer.TimingsSeconds["download_sum"] = counters.DownloadTicks * tick;
        writer.TimingsSeconds["process_sum"] = counters.ProcessTicks * tick;
        writer.TimingsSeconds["tag_sum"] = counters.TagTicks * tick;
        writer.TimingsSeconds["stage_total"] = totalSeconds;
        writer.Counters["bytes_downloaded"] = counters.BytesDownloaded;
        writer.Counters["download_attempts"] = counters.Attempts;
        writer.Counters["reencoded"] = counters.Reencoded;
        writer.Counters["passed_through"] = counters.PassedThrough;
        writer.Counters["tagger_failures"] = counters.TaggerFailures;
    }

    /// <summary>Counts outcomes for the progress callback and the summary.</summary>
    internal sealed class Tally(int shard, int inputRows, IProgress<IngestProgress>? progress)
    {
        private readonly Dictionary<string, long> _byReason = new(StringComparer.Ordinal);
        private int _done, _ok, _failed;

        public IReadOnlyDictionary<string, long> ByReason => _byReason;

        public void Add(ImageShardWriter writer, FailureRow failure)
        {
            writer.AddFailure(failure);
            _byReason[failure.Reason] = _byReason.GetValueOrDefault(failure.Reason) + 1;
            _done++;
            _failed++;
            progress?.Report(new IngestProgress(shard, inputRows, _done, _ok, _failed, 0));
        }

        /// <summary>After a pipeline outcome: failures were already counted by Add.</summary>
        public void Done(bool ok, long bytes)
        {
            if (!ok) return;
            _done++;
            _ok++;
            progress?.Report(new IngestProgress(shard, inputRows, _done, _ok, _failed, bytes));
        }
    }
}
