using System.Runtime.CompilerServices;

namespace SSeg.Shards.Commits;

/// <summary>What one streamed read of a dataset cost (<see cref="CommitLogStream"/>); for tests and benchmarks.</summary>
internal sealed class CommitStreamRead
{
    /// <summary>Commit object names the listing returned.</summary>
    public long NamesListed;
    /// <summary>Checkpoint segments read.</summary>
    public int SegmentsLoaded;
    /// <summary>Blocks whose totals came from the checkpoint index alone (their commit objects had not changed).</summary>
    public int BlocksFromIndex;
    /// <summary>Commit objects fetched: those the checkpoint does not cover.</summary>
    public int ObjectsFetched;
    /// <summary>The most shard entries held at once.</summary>
    public int MaxEntriesHeld;
}

/// <summary>
/// Reads a dataset's committed shards one block (<see cref="CheckpointSegment.BlockSize"/> shards of one kind) at a
/// time, for views of the dataset (listings, totals, pages) that must not hold every entry. It lists the commit
/// objects once, keeping only each shard's newest version (8 bytes a shard), then for each block takes the entries
/// of the newest checkpoint's segment whose versions are still the newest and fetches the commit objects of the
/// others. Totals skip even that for a block whose listed versions match its segment's digest in the index.
/// The truth is the listing, as for <see cref="CommitLogReader"/>: a checkpoint only saves fetches.
/// </summary>
internal static class CommitLogStream
{

    /// <summary>One block of one kind: its entries by index, or, when the caller wanted totals only and the checkpoint's are current, its segment reference alone.</summary>
    private sealed record Block(string Kind, IReadOnlyList<ShardEntry>? Entries, CheckpointSegmentRef? Totals);

    public static async IAsyncEnumerable<ShardEntry> ReadAsync(Dataset dataset, string? kind, int fromIndex,
        [EnumeratorCancellation] CancellationToken ct, CommitStreamRead? read = null)
    {
        var metadata = await dataset.GetManifestMetadataAsync(ct);
        await foreach (var block in ReadBlocksAsync(dataset, metadata, kind, fromIndex, totalsSuffice: false, read ?? new(), ct))
            foreach (var entry in block.Entries!)
                if (entry.Index >= fromIndex) yield return entry;
    }

    public static async Task<DatasetSummary?> SummarizeAsync(Dataset dataset, CancellationToken ct, CommitStreamRead? read = null)
    {
        var metadata = await dataset.ReadMetadataAsync(ct);
        if (metadata is null) return null;
        int imageShards = 0;
        long rows = 0, bytes = 0, failures = 0;
        var reasons = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var masks = new Dictionary<string, int>(StringComparer.Ordinal);
        var updated = metadata.UpdatedUtc;
        await foreach (var block in ReadBlocksAsync(dataset, metadata, null, 0, totalsSuffice: true, read ?? new(), ct))
        {
            var totals = block.Totals ?? CheckpointSegmentRef.Of(block.Kind, 0, "", block.Entries!);
            bytes += totals.Bytes;
            if (totals.LatestCommitUtc > updated) updated = totals.LatestCommitUtc;
            if (block.Kind == ShardNames.ImagesKind)
            {
                imageShards += totals.Shards;
                rows += totals.Rows;
                failures += totals.Failures;
                foreach (var (reason, count) in totals.FailuresByReason ?? new Dictionary<string, long>())
                    reasons[reason] = reasons.GetValueOrDefault(reason) + count;
            }
            else if (ShardNames.GeneratorOfMasksKind(block.Kind) is { } generator)
            {
                masks[generator] = masks.GetValueOrDefault(generator) + totals.Shards;
            }
        }
        return new DatasetSummary(metadata.Name, metadata.Source, metadata.ConfigHash, imageShards, rows, bytes, failures, reasons, masks, updated);
    }

    private static async IAsyncEnumerable<Block> ReadBlocksAsync(Dataset dataset, DatasetManifest metadata, string? kind, int fromIndex,
        bool totalsSuffice, CommitStreamRead read, [EnumeratorCancellation] CancellationToken ct)
    {
        var incarnation = metadata.CommitIncarnation;
        var checkpoint = await CommitCheckpoints.ReadNewestIndexAsync(dataset, incarnation, ct);
        var listed = await ListNewestVersionsAsync(dataset, incarnation, kind, read, ct);
        // Entries held whole by older formats: a schema-1 dataset.json (version 0 of each shard it lists) and a
        // schema-1 checkpoint. Both are already whole in memory wherever they are read.
        var legacy = Group(metadata.Shards.Where(s => kind is null || s.Kind == kind));
        var inline = Group(checkpoint?.Shards ?? []);
        var segments = (checkpoint?.Segments ?? []).ToDictionary(s => (s.Kind, s.Block));
        var kinds = listed.Keys.Concat(legacy.Keys.Select(k => k.Kind)).Distinct().Order(StringComparer.Ordinal);
        foreach (var k in kinds)
        {
            var versions = listed.GetValueOrDefault(k) ?? [];
            var blocks = versions.Select(v => CheckpointSegment.BlockOf(Index(v)))
                .Concat(legacy.Keys.Where(b => b.Kind == k).Select(b => b.Block))
                .Where(b => (b + 1L) * CheckpointSegment.BlockSize > fromIndex).Distinct().Order();
            var at = 0;
            foreach (var block in blocks)
            {
                while (at < versions.Count && CheckpointSegment.BlockOf(Index(versions[at])) < block) at++;
                var end = at;
                while (end < versions.Count && CheckpointSegment.BlockOf(Index(versions[end])) == block) end++;
                var pairs = versions.Skip(at).Take(end - at).Select(v => (Index(v), Version(v))).ToList();
                at = end;
                var segment = segments.GetValueOrDefault((k, block));
                var legacyEntries = legacy.GetValueOrDefault((k, block));
                if (totalsSuffice && legacyEntries is null && segment is not null && segment.VersionsDigest == CheckpointSegmentRef.DigestOf(pairs))
                {
                    read.BlocksFromIndex++;
                    yield return new Block(k, null, segment);
                    continue;
                }
                var entries = await ReadBlockAsync(dataset, incarnation, k, pairs, segment, inline.GetValueOrDefault((k, block)), legacyEntries, read, ct);
                read.MaxEntriesHeld = Math.Max(read.MaxEntriesHeld, entries.Count);
                yield return new Block(k, entries, null);
            }
        }
    }

    /// <summary>The entries of one block: the known ones whose version is the newest listed, the others fetched, then the legacy ones no commit superseded.</summary>
    private static async Task<List<ShardEntry>> ReadBlockAsync(Dataset dataset, string incarnation, string kind, List<(int Index, int Version)> pairs,
        CheckpointSegmentRef? segment, List<ShardEntry>? inline, List<ShardEntry>? legacy, CommitStreamRead read, CancellationToken ct)
    {
        var known = new Dictionary<int, ShardEntry>();
        foreach (var entry in inline ?? []) known[entry.Index] = entry;
        if (segment is not null && pairs.Count > 0 && await CommitCheckpoints.TryReadSegmentAsync(dataset, segment, ct) is { } stored)
        {
            read.SegmentsLoaded++;
            foreach (var entry in stored.Shards) known[entry.Index] = entry;
        }
        var entries = new ShardEntry?[pairs.Count];
        var pending = new List<int>();
        for (var i = 0; i < pairs.Count; i++)
            if (known.TryGetValue(pairs[i].Index, out var entry) && entry.Version == pairs[i].Version) entries[i] = entry;
            else pending.Add(i);
        var log = new CommitLog(dataset);
        await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = CommitLog.ParallelRequests, CancellationToken = ct },
            async (i, token) => entries[i] = (await log.ReadAsync(incarnation, CommitKeys.CommitPath(incarnation, kind, pairs[i].Index, pairs[i].Version), token)).Entry);
        read.ObjectsFetched += pending.Count;
        var result = new List<ShardEntry>(entries.Length + (legacy?.Count ?? 0));
        result.AddRange(entries!);
        var committed = pairs.Select(p => p.Index).ToHashSet();
        result.AddRange((legacy ?? []).Where(e => !committed.Contains(e.Index)));
        result.Sort((a, b) => a.Index.CompareTo(b.Index));
        return result;
    }

    /// <summary>
    /// Lists the commit objects of <paramref name="kind"/> (every kind when null) and keeps each shard's newest
    /// version, packed as index × 2³² + version and sorted, per kind.
    /// </summary>
    private static async Task<Dictionary<string, List<long>>> ListNewestVersionsAsync(Dataset dataset, string incarnation, string? kind,
        CommitStreamRead read, CancellationToken ct)
    {
        var byKind = new Dictionary<string, List<long>>(StringComparer.Ordinal);
        var strip = dataset.Prefix.Length + 1;
        var prefix = $"{dataset.Prefix}/{CommitKeys.CommitsFolderOf(incarnation)}/{(kind is null ? "" : kind + "/")}";
        await foreach (var item in dataset.Storage.ListAsync(prefix, ct))
        {
            if (!CommitKeys.TryParseCommitPath(incarnation, item.Key[strip..], out var k, out var index, out var version)) continue;
            read.NamesListed++;
            (byKind.TryGetValue(k, out var list) ? list : byKind[k] = []).Add(((long)index << 32) | (uint)version);
        }
        foreach (var list in byKind.Values)
        {
            list.Sort();
            // Keep the last (highest) version of each index.
            var kept = 0;
            for (var i = 0; i < list.Count; i++)
                if (i + 1 == list.Count || Index(list[i + 1]) != Index(list[i])) list[kept++] = list[i];
            list.RemoveRange(kept, list.Count - kept);
            list.TrimExcess();
        }
        return byKind;
    }

    private static int Index(long packed) => (int)(packed >> 32);
    private static int Version(long packed) => (int)(packed & uint.MaxValue);

    private static Dictionary<(string Kind, int Block), List<ShardEntry>> Group(IEnumerable<ShardEntry> entries)
    {
        var groups = new Dictionary<(string Kind, int Block), List<ShardEntry>>();
        foreach (var entry in entries)
        {
            var key = (entry.Kind, CheckpointSegment.BlockOf(entry.Index));
            (groups.TryGetValue(key, out var list) ? list : groups[key] = []).Add(entry);
        }
        return groups;
    }
}
