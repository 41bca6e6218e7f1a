using System.Diagnostics;
using SSeg.Ingest.Download;
using SSeg.Ingest.Images;
using SSeg.Ingest.Manifests;
using SSeg.Shards;
using SSeg.Shards.Storage;

namespace SSeg.Ingest.Stage;

/// <summary>
/// --retry-failed for a committed shard: re-attempt its retriable failures and publish the merged shard atomically.
/// The merged shard (old rows + recovered rows + remaining failures) is written with the normal shard writer
/// into a scratch dataset, copied beside the old files under new names, and swapped in with one compare-and-swap
/// of dataset.json; a crash at any point leaves the old shard listed and at most orphan files.
/// (Workaround until the shards library offers a "replace committed shard" call.)
/// </summary>
internal static class RetryFailedRunner
{
    public static async Task<ShardOutcome> RunAsync(IngestOptions options, Dataset dataset, ShardEntry entry, IProgress<IngestProgress>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var shard = entry.Index;
        var failures = await dataset.ReadFailuresAsync(shard, ct).ConfigureAwait(false);
        var retriable = failures.Where(f => f.Key is not null && FailureReasons.IsRetriable(f.Reason)).ToList();
        if (retriable.Count == 0)
            return ShardOutcome.SkippedShard(shard, entry.Rows, entry.Failures, "no retriable failures");

        var slice = await Task.Run(() => new ManifestSet(options.Sources, options.Manifest).ReadSlice(shard, options.ShardSize, options.Dedupe), ct).ConfigureAwait(false);
        var byKey = slice.Rows.ToDictionary(slice.KeyOf);
        var store = new DatasetStore(dataset.Storage);
        var scratchName = $"{dataset.Name}.retry-{shard:D5}-{Guid.NewGuid():N}"[..Math.Min(100, dataset.Name.Length + 45)];
        var scratch = await store.CreateOrOpenAsync(scratchName, options.SourceDescription, options.ConfigHash(), ct).ConfigureAwait(false);
        try
        {
            var tally = new IngestStage.Tally(shard, (int)(entry.Rows + entry.Failures), progress);
            var counters = new PipelineCounters();
            ShardCommitResult committed;
            await using (var writer = await scratch.CreateImageShardWriterAsync(shard, new ShardWriterOptions { RowGroupTargetBytes = options.RowGroupBytes }, ct).ConfigureAwait(false))
            {
                writer.InputRows = slice.Rows.Count;
                await using (var old = await dataset.OpenImageShardAsync(shard, ct).ConfigureAwait(false))
                    await foreach (var row in old.ReadRowsAsync(ct: ct).ConfigureAwait(false))
                    {
                        await writer.AddAsync(row, ct).ConfigureAwait(false);
                        tally.Done(true, 0);
                    }
                var work = new List<WorkItem>();
                foreach (var f in failures)
                {
                    if (retriable.Contains(f) && byKey.TryGetValue(f.Key!, out var row) && !row.IsMalformed && row.Url is not null)
                        work.Add(new WorkItem(row, f.Key!));
                    else
                        tally.Add(writer, f);
                }
                using (var downloader = new ImageDownloader(options.Download))
                {
                    var processor = new ImageProcessor(options.Image);
                    await SamplePipeline.RunAsync(work, options, downloader, processor, async outcome =>
                    {
                        if (outcome.Row is not null) await writer.AddAsync(outcome.Row, ct).ConfigureAwait(false);
                        else tally.Add(writer, outcome.Failure!);
                        tally.Done(outcome.Row is not null, counters.BytesDownloaded);
                    }, counters, ct).ConfigureAwait(false);
                }
                IngestStage.FillStats(writer, counters, 0, clock.Elapsed.TotalSeconds);
                writer.Counters["retried"] = work.Count;
                committed = await writer.CommitAsync(ct).ConfigureAwait(false);
            }

            var replaced = await SwapInAsync(dataset, scratch, entry, committed.Entry, ct).ConfigureAwait(false);
            if (!replaced)
                return ShardOutcome.SkippedShard(shard, entry.Rows, entry.Failures, "the shard changed while retrying; nothing replaced");
            var recovered = committed.Entry.Rows - entry.Rows;
            return new ShardOutcome(shard, false, slice.Rows.Count, committed.Entry.Rows, committed.Entry.Failures, tally.ByReason,
                clock.Elapsed, counters.BytesDownloaded, $"retried {retriable.Count}, recovered {recovered}");
        }
        finally
        {
            await DeleteDatasetFilesAsync(dataset.Storage, scratch, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Copies the scratch shard's files beside the old ones, then swaps the manifest entry (CAS).</summary>
    private static async Task<bool> SwapInAsync(Dataset dataset, Dataset scratch, ShardEntry old, ShardEntry merged, CancellationToken ct)
    {
        var suffix = $".r{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}";
        string Renamed(string path) => path.EndsWith(".parquet", StringComparison.Ordinal)
            ? path[..^".parquet".Length] + suffix + ".parquet"
            : path[..^".json".Length] + suffix + ".json";
        var entry = merged with
        {
            Path = Renamed(old.Path),
            StatsPath = merged.StatsPath is null ? null : Renamed(old.StatsPath ?? merged.StatsPath),
            FailuresPath = merged.FailuresPath is null ? null : Renamed(old.FailuresPath ?? merged.FailuresPath),
            CommittedUtc = DateTimeOffset.UtcNow,
        };
        await CopyAsync(dataset.Storage, scratch.KeyOf(merged.Path), dataset.KeyOf(entry.Path), ct).ConfigureAwait(false);
        if (merged.StatsPath is not null) await CopyAsync(dataset.Storage, scratch.KeyOf(merged.StatsPath), dataset.KeyOf(entry.StatsPath!), ct).ConfigureAwait(false);
        if (merged.FailuresPath is not null) await CopyAsync(dataset.Storage, scratch.KeyOf(merged.FailuresPath), dataset.KeyOf(entry.FailuresPath!), ct).ConfigureAwait(false);

        var manifestKey = dataset.KeyOf(ShardNames.ManifestFile);
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var current = await dataset.Storage.ReadVersionedAsync(manifestKey, ct).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"{manifestKey} disappeared during --retry-failed");
            var manifest = ShardJson.Deserialize<DatasetManifest>(current.Content, manifestKey);
            var listed = manifest.Find(old.Kind, old.Index);
            if (listed is null || listed.Sha256 != old.Sha256 || listed.Path != old.Path)
            {
                foreach (var p in new[] { entry.Path, entry.StatsPath, entry.FailuresPath })
                    if (p is not null) await dataset.Storage.DeleteAsync(dataset.KeyOf(p), ct).ConfigureAwait(false);
                return false;
            }
            var updated = manifest with
            {
                UpdatedUtc = DateTimeOffset.UtcNow,
                Shards = manifest.Shards.Select(s => ReferenceEquals(s, listed) ? entry : s).ToList(),
            };
            if (await dataset.Storage.TryWriteIfVersionAsync(manifestKey, ShardJson.Serialize(updated), current.Version, ct).ConfigureAwait(false) is not null)
            {
                // The old files are no longer listed; remove them (a reader that still holds the old manifest may fail once).
                foreach (var p in new[] { old.Path, old.StatsPath, old.FailuresPath })
                    if (p is not null) await dataset.Storage.DeleteAsync(dataset.KeyOf(p), ct).ConfigureAwait(false);
                return true;
            }
            await Task.Delay(Random.Shared.Next(10, 50 + 20 * attempt), ct).ConfigureAwait(false);
        }
        throw new InvalidOperationException($"could not update {manifestKey}: too much concurrent change");
    }

    private static async Task CopyAsync(IStorage storage, string from, string to, CancellationToken ct)
    {
        await using var source = await storage.OpenReadAsync(from, ct).ConfigureAwait(false);
        await using var target = await storage.BeginWriteAsync(to, ct).ConfigureAwait(false);
        await source.CopyToAsync(target.Stream, 1 << 20, ct).ConfigureAwait(false);
        await target.CommitAsync(ct).ConfigureAwait(false);
    }

    private static async Task DeleteDatasetFilesAsync(IStorage storage, Dataset scratch, CancellationToken ct)
    {
        var keys = new List<string>();
        await foreach (var item in storage.ListAsync(scratch.Prefix + "/", ct).ConfigureAwait(false)) keys.Add(item.Key);
        foreach (var key in keys.OrderByDescending(k => k.EndsWith(ShardNames.ManifestFile, StringComparison.Ordinal) ? 0 : 1))
            await storage.DeleteAsync(key, ct).ConfigureAwait(false);
    }
}
