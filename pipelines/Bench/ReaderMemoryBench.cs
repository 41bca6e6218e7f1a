using System.Diagnostics;
using SSeg.Shards;
using SSeg.Shards.Commits;
using SSeg.Shards.Storage;
using SSeg.Pipelines.Cli.Shards;

namespace SSeg.Pipelines.Bench;

/// <summary>
/// `bench shards --readers 10000,100000`: what reading a dataset of N shards costs in memory, on a local root. For
/// each N it makes a commit log of N image shards (commit objects written directly: the shards' files are not
/// needed to read the log), then measures in new processes a first read (no checkpoint yet), the next one (which is
/// also the dataset's sweep), an index read (the heads stages and barriers poll), a
/// totals read (what `shards stats` does), a whole-manifest read (every entry held, for tools), a streamed read
/// (totals plus every entry, what `shards list` and the dashboard do), verify without checksums (the log, every
/// shard's file, orphans), and the size of a checkpoint written after 1,000 new shards in one block.
/// </summary>
internal static class ReaderMemoryBench
{
    private const int ParallelWrites = 16;
    private const int NewShards = 1000;

    public static async Task<int> RunAsync(IReadOnlyList<int> sizes, string scratchParent, CancellationToken ct)
    {
        Console.WriteLine($"reader bench: {string.Join(", ", sizes)} shards, local root; {Environment.ProcessorCount} cores; load {CommitBench.LoadAverage()}");
        var failed = false;
        foreach (var shards in sizes)
        {
            var scratch = Path.Combine(scratchParent, $"sseg-reader-bench-{Guid.NewGuid():N}");
            try
            {
                var root = Path.Combine(scratch, "root");
                var ds = await DatasetStore.Open(root).CreateOrOpenAsync("readers", source: "bench");
                var clock = Stopwatch.StartNew();
                await FabricateAsync(ds, 0, shards, journal: false, ct);
                Console.WriteLine($"readers {shards}: {shards} commit objects made in {clock.Elapsed.TotalSeconds:F1} s");
                var lines = new List<string>
                {
                    "first read, no checkpoint (index): " + await InChildAsync("index", root, ct),
                    "next new process, the dataset's sweep due (index): " + await InChildAsync("index", root, ct),
                    "index read (what stages poll): " + await InChildAsync("index", root, ct),
                    "totals (shards stats): " + await InChildAsync("totals", root, ct),
                    "whole-manifest read: " + await InChildAsync("manifest", root, ct),
                    "streamed read (totals + every entry): " + await InChildAsync("stream", root, ct),
                    "verify (no checksum): " + await InChildAsync("verify", root, ct),
                };
                // 1,000 new shards past the end: one or two blocks change, the next checkpoint stores only those.
                await FabricateAsync(ds, shards, NewShards, journal: true, ct);
                lines.Add($"after {NewShards} new shards, index read: " + await InChildAsync("index", root, ct));
                lines.Add("checkpoint now: " + await DescribeCheckpointsAsync(ds, ct));
                foreach (var line in lines) Console.WriteLine($"  readers {shards}: {line}");
                failed |= lines.Any(l => l.Contains("failed (", StringComparison.Ordinal));
            }
            finally
            {
                if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
            }
        }
        return failed ? 1 : 0;
    }

    /// <summary>
    /// Writes the commit objects of image shards [first, first + count), as a committer would, without their files;
    /// with their journal entries when <paramref name="journal"/> (recent commits), without as for commits older than
    /// the journal's hour (trimmed).
    /// </summary>
    private static async Task FabricateAsync(Dataset ds, int first, int count, bool journal, CancellationToken ct)
    {
        var inc = (await ds.GetManifestAsync(ct)).CommitIncarnation;
        var now = DateTimeOffset.UtcNow;
        await Parallel.ForEachAsync(Enumerable.Range(first, count), new ParallelOptions { MaxDegreeOfParallelism = ParallelWrites, CancellationToken = ct },
            async (i, token) =>
            {
                var entry = new ShardEntry
                {
                    Kind = ShardNames.ImagesKind, Index = i, Version = 1, Path = ShardNames.DataPath(ShardNames.ImagesKind, i),
                    Rows = 10_000 - i % 300, Bytes = 480L << 20, Sha256 = Convert.ToHexStringLower(BitConverter.GetBytes((long)i)).PadRight(64, '0'),
                    RowGroups = 40, Failures = i % 300, FailuresByReason = new Dictionary<string, long> { ["http_404"] = i % 200, ["timeout"] = i % 300 - i % 200 },
                    StatsPath = ShardNames.StatsPath(ShardNames.ImagesKind, i), FailuresPath = ShardNames.FailuresPath(ShardNames.ImagesKind, i),
                    CommittedUtc = now, InputFingerprint = Convert.ToHexStringLower(BitConverter.GetBytes(i * 7L)).PadRight(64, '0'),
                };
                var content = ShardJson.Serialize(new ShardCommitObject { Entry = entry });
                await ds.Storage.TryWriteIfVersionAsync(ds.KeyOf(CommitKeys.CommitPath(inc, entry.Kind, i, 1)), content, null, token);
                if (journal)
                    await ds.Storage.AppendAsync(ds.KeyOf(CommitKeys.JournalLogPath(inc, CommitKeys.JournalBucket(DateTimeOffset.UtcNow))),
                        CommitKeys.JournalRecord(entry.Kind, i, 1), token);
            });
    }

    /// <summary>The stored checkpoints of a dataset: its indexes (the newest one's size) and its segments.</summary>
    internal static async Task<string> DescribeCheckpointsAsync(Dataset ds, CancellationToken ct)
    {
        var inc = (await ds.GetManifestAsync(ct)).CommitIncarnation;
        var strip = ds.Prefix.Length + 1;
        StorageObjectInfo? newestIndex = null;
        long segmentBytes = 0, largestSegment = 0, headsBytes = 0;
        int indexes = 0, segments = 0, heads = 0;
        await foreach (var item in ds.Storage.ListAsync(ds.KeyOf(CommitKeys.CheckpointsFolderOf(inc)) + "/", ct))
        {
            if (CommitKeys.IsCheckpointPath(inc, item.Key[strip..]))
            {
                indexes++;
                if (newestIndex is null || string.CompareOrdinal(item.Key, newestIndex.Key) > 0) newestIndex = item;
            }
            else if (CommitKeys.IsHeadsPath(item.Key))
            {
                headsBytes += item.Size;
                heads++;
            }
            else
            {
                segmentBytes += item.Size;
                segments++;
                largestSegment = Math.Max(largestSegment, item.Size);
            }
        }
        return $"{indexes} index(es) kept, newest {Format.Bytes(newestIndex?.Size ?? 0)}; {segments} segment objects stored " +
               $"({Format.Bytes(segmentBytes)} in all, largest {Format.Bytes(largestSegment)}); {heads} heads files ({Format.Bytes(headsBytes)} in all)";
    }

    private static async Task<string> InChildAsync(string mode, string root, CancellationToken ct)
    {
        using var process = CommitBench.StartSelf(["bench", "shards", "--reader-role", $"{mode}\n{root}"]);
        var output = await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return process.ExitCode == 0 ? output.Trim() : $"failed ({process.ExitCode}): {await process.StandardError.ReadToEndAsync(ct)}";
    }

    /// <summary>The child: reads the dataset one way and prints what that held.</summary>
    public static async Task<int> ReadAsync(string spec, CancellationToken ct)
    {
        var (mode, root) = (spec.Split('\n')[0], spec.Split('\n')[1]);
        using var self = Process.GetCurrentProcess();
        var cpuBefore = self.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var ds = DatasetStore.Open(root).Dataset("readers");
        string what;
        object? kept;
        if (mode == "index")
        {
            var index = await ds.GetIndexAsync(ct);
            var read = ds.LastCommitLogRead!;
            what = $"{index.ImageShards.Count} shards (heads {Format.Bytes(read.HeadsHeldBytes)} held, {Format.Bytes(read.HeadsSpilledBytes)} spilled), {Fetched(ds)}";
            kept = index;
        }
        else if (mode == "manifest")
        {
            var manifest = await ds.GetManifestAsync(ct);
            what = $"{manifest.ImageShards.Count} shards, {Fetched(ds)}";
            kept = manifest;
        }
        else if (mode == "totals")
        {
            var summary = await ds.SummarizeAsync(ct) ?? throw new InvalidOperationException("no dataset");
            what = $"{summary.ImageShards} shards totalled, {Fetched(ds)}";
            kept = summary;
        }
        else if (mode == "verify")
        {
            // The report lists every bad shard, here all of them (the bench makes no shard files): it is left out of
            // what is held, which is then what verify itself keeps.
            what = await VerifyAsync(ds, ct);
            // Resumed on a fresh stack: this continuation ran inside the finished verify's frames, which still refer to its report.
            await Task.Yield();
            kept = null;   // the process's reader stays, as for the other reads
        }
        else
        {
            var summary = await ds.SummarizeAsync(ct) ?? throw new InvalidOperationException("no dataset");
            long entries = 0;
            await foreach (var _ in ds.StreamShardsAsync(ShardNames.ImagesKind, 0, ct)) entries++;
            what = $"{summary.ImageShards} shards totalled, {entries} entries streamed";
            kept = summary;
        }
        var elapsed = clock.Elapsed;
        // What stays reachable while the result is in use: the process's reader (heads), and for the manifest every entry.
        var held = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(kept);
        self.Refresh();
        Console.WriteLine($"{what} in {elapsed.TotalSeconds:F2} s wall, {(self.TotalProcessorTime - cpuBefore).TotalSeconds:F2} CPU-s; " +
                          $"managed heap held {Format.Bytes(held)}, peak RSS {Format.Bytes(self.PeakWorkingSet64)}");
        return 0;
    }

    private static async Task<string> VerifyAsync(Dataset ds, CancellationToken ct) => Describe(await ds.VerifyAsync(checksums: false, ct: ct));

    private static string Describe(VerifyReport report) =>
        $"{report.ShardsChecked} shards checked ({report.Bad.Count} bad: no shard files), {report.Orphans.Count} orphans, " +
        $"log {(report.ManifestProblem is null ? "sound" : "BAD: " + report.ManifestProblem)}";

    private static string Fetched(Dataset ds)
    {
        var read = ds.LastCommitLogRead!;
        var listed = read.StartedFromJournal ? "the journal, read from the checkpoint's minute" : read.FullListing ? "every commit object name" : "the journal";
        return $"{read.NamesListed} names listed ({listed}{read.SweptSlice switch { null => "", "" => ", then every name: the dataset's sweep", var slice => $", then the sweep's next slice, {slice}" }}) in {read.ListCalls} list calls, " +
               $"{read.JournalLogsRead} minute log(s) read ({read.JournalBytesRead} bytes), " +
               $"{read.ObjectsRead} commit objects fetched, {read.HeadsLoaded} heads files and {read.SegmentsLoaded} segments loaded" +
               (read.CheckpointWritten ? $", checkpoint written ({read.SegmentsWritten} segment(s) stored)" : "");
    }
}
