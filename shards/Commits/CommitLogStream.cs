using System.Runtime.CompilerServices;

namespace SSeg.Shards.Commits;

/// <summary>What one streamed read of a dataset cost (<see cref="CommitLogStream"/>); for tests and benchmarks.</summary>
internal sealed class CommitStreamRead
{
    /// <summary>Names the reader's poll listed (every commit object on a full listing, recent journal entries otherwise).</summary>
    public long NamesListed;
    /// <summary>Checkpoint segments read for entries (the reader's own first read of them, for heads, is in its <see cref="CommitLogRead"/>).</summary>
    public int SegmentsLoaded;
    /// <summary>Blocks whose totals came from the checkpoint's reference alone (the segment holds the block's versions).</summary>
    public int BlocksFromIndex;
    /// <summary>Commit objects fetched for entries: those neither in a segment nor held by the reader.</summary>
    public int ObjectsFetched;
    /// <summary>The most shard entries held at once.</summary>
    public int MaxEntriesHeld;
}

/// <summary>
/// Reads a dataset's committed shards one block (<see cref="CheckpointSegment.BlockSize"/> shards of one kind) at a
/// time, for views of the dataset (listings, totals, pages) that must not hold every entry. It polls the process's
/// <see cref="CommitLogReader"/> (which costs what changed since its last read and keeps a head per shard), then for
/// each block takes the entries of its stored segment, the entries the reader has not stored yet, and the commit
/// objects of any others. Totals skip even that for a block whose stored segment holds exactly the block's versions:
/// they come from the checkpoint's reference alone.
/// </summary>
internal static class CommitLogStream
{

    /// <summary>One block of one kind: its entries by index, or, when the caller wanted totals only and the checkpoint's are current, its segment reference alone.</summary>
    private sealed record Block(string Kind, IReadOnlyList<ShardEntry>? Entries, CheckpointSegmentRef? Totals);

    public static async IAsyncEnumerable<ShardEntry> ReadAsync(Dataset dataset, string? kind, int fromIndex,
        [EnumeratorCancellation] CancellationToken ct, CommitStreamRead? read = null)
    {
        var metadata = await dataset.GetManifestMetadataAsync(ct);
        await foreach (var block in ReadBlocksAsync(dataset, metadata, null, kind, fromIndex, totalsSuffice: false, read ?? new(), ct))
            foreach (var entry in block.Entries!)
                if (entry.Index >= fromIndex) yield return entry;
    }

    /// <summary>Every entry of <paramref name="snapshot"/> (a poll the caller made), by kind then index, all held: the whole manifest.</summary>
    public static async Task<List<ShardEntry>> ReadAllAsync(Dataset dataset, DatasetManifest metadata, CommitLogSnapshot snapshot, CancellationToken ct)
    {
        var all = new List<ShardEntry>();
        await foreach (var entry in ReadAsync(dataset, metadata, snapshot, new(), ct)) all.Add(entry);
        return all;
    }

    /// <summary>Every entry of <paramref name="snapshot"/> (a poll the caller made), by kind then index, one block at a time.</summary>
    public static async IAsyncEnumerable<ShardEntry> ReadAsync(Dataset dataset, DatasetManifest metadata, CommitLogSnapshot snapshot,
        CommitStreamRead read, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var block in ReadBlocksAsync(dataset, metadata, snapshot, null, 0, totalsSuffice: false, read, ct))
            foreach (var entry in block.Entries!) yield return entry;
    }

    /// <summary>
    /// The entries of one block of <paramref name="snapshot"/>, by index: for a pass that meets blocks in another order
    /// than the stream's (a storage listing's).
    /// </summary>
    public static async Task<List<ShardEntry>> ReadBlockAsync(Dataset dataset, DatasetManifest metadata, CommitLogSnapshot snapshot,
        string kind, int block, CommitStreamRead read, CancellationToken ct)
    {
        var heads = snapshot.Heads.GetValueOrDefault(kind)?.BlockNumbered(block)?.Heads() ?? [];
        var legacy = metadata.Shards.Count == 0 ? null
            : metadata.ShardsOf(kind).Where(s => CheckpointSegment.BlockOf(s.Index) == block).ToList();
        return await EntriesOfBlockAsync(dataset, metadata.CommitIncarnation, CommitLogReader.For(dataset), kind,
            heads, legacy, read, ct);
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
        await foreach (var block in ReadBlocksAsync(dataset, metadata, null, null, 0, totalsSuffice: true, read ?? new(), ct))
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

    /// <summary>The blocks of <paramref name="snapshot"/>, or of a new poll of the process's reader when it is null.</summary>
    private static async IAsyncEnumerable<Block> ReadBlocksAsync(Dataset dataset, DatasetManifest metadata, CommitLogSnapshot? snapshot,
        string? kind, int fromIndex, bool totalsSuffice, CommitStreamRead read, [EnumeratorCancellation] CancellationToken ct)
    {
        var incarnation = metadata.CommitIncarnation;
        var reader = CommitLogReader.For(dataset);
        if (snapshot is null)
        {
            snapshot = await reader.ReadAsync(dataset, incarnation, ct);
            read.NamesListed += reader.LastRead?.NamesListed ?? 0;
        }
        // A schema-1 dataset.json lists its shards itself (version 0 of each); it is whole in memory wherever it is read.
        var legacy = Group(metadata.Shards.Where(s => kind is null || s.Kind == kind));
        var kinds = snapshot.Heads.Keys.Where(k => kind is null || k == kind).Concat(legacy.Keys.Select(k => k.Kind)).Distinct().Order(StringComparer.Ordinal);
        foreach (var k in kinds)
        {
            var heads = snapshot.Heads.GetValueOrDefault(k) ?? HeadsTable.Empty;
            var blocks = heads.Blocks.Select(b => b.Block)
                .Concat(legacy.Keys.Where(b => b.Kind == k).Select(b => b.Block))
                .Where(b => (b + 1L) * CheckpointSegment.BlockSize > fromIndex).Distinct().Order();
            foreach (var block in blocks)
            {
                // One block's heads at a time: a spilled block is read back here and let go after.
                ReadOnlyMemory<ShardHead> slice = heads.BlockNumbered(block)?.Heads() ?? [];
                var legacyEntries = legacy.GetValueOrDefault((k, block));
                if (totalsSuffice && legacyEntries is null && await reader.CurrentSegmentAsync(incarnation, k, slice, ct) is { } segment)
                {
                    read.BlocksFromIndex++;
                    yield return new Block(k, null, segment);
                    continue;
                }
                yield return new Block(k, await EntriesOfBlockAsync(dataset, incarnation, reader, k, slice, legacyEntries, read, ct), null);
            }
        }
    }

    /// <summary>One block's entries: those of its <paramref name="heads"/>, and the schema-1 entries no commit superseded.</summary>
    private static async Task<List<ShardEntry>> EntriesOfBlockAsync(Dataset dataset, string incarnation, CommitLogReader reader, string kind,
        ReadOnlyMemory<ShardHead> heads, List<ShardEntry>? legacyEntries, CommitStreamRead read, CancellationToken ct)
    {
        var entries = new List<ShardEntry>(await reader.ReadBlockAsync(dataset, incarnation, kind, heads, read, ct));
        var committed = entries.Select(e => e.Index).ToHashSet();
        entries.AddRange((legacyEntries ?? []).Where(e => !committed.Contains(e.Index)));
        entries.Sort((a, b) => a.Index.CompareTo(b.Index));
        read.MaxEntriesHeld = Math.Max(read.MaxEntriesHeld, entries.Count);
        return entries;
    }

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
