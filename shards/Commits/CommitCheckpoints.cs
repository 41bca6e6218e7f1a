namespace SSeg.Shards.Commits;

/// <summary>
/// Reads and writes a dataset's checkpoints: an index (<see cref="CommitCheckpoint"/>) per checkpoint that refers to
/// one segment per block of shards (<see cref="CheckpointSegment"/>) with its heads file (<see cref="SegmentHeads"/>).
/// Segments are named by their content, so a new checkpoint writes the blocks that changed and its index; the newest <see cref="IndexesKept"/> indexes are kept, and
/// segments (and heads files) no kept index refers to are deleted once older than <see cref="SegmentGrace"/>.
/// </summary>
internal static class CommitCheckpoints
{
    /// <summary>Newest checkpoint indexes kept; older ones are deleted by the writer of a new one.</summary>
    public const int IndexesKept = 2;
    /// <summary>
    /// How old an unreferenced segment must be before it is deleted: a writer running beside this one writes its
    /// segments before its index, so a segment no index names yet may be about to be named.
    /// </summary>
    public static readonly TimeSpan SegmentGrace = TimeSpan.FromHours(1);

    /// <summary>Checkpoint index paths (relative to the dataset folder), oldest first.</summary>
    public static async Task<List<string>> ListIndexesAsync(Dataset dataset, string incarnation, CancellationToken ct)
    {
        var strip = dataset.Prefix.Length + 1;
        var paths = new List<string>();
        await foreach (var item in dataset.Storage.ListAsync($"{dataset.Prefix}/{CommitKeys.CheckpointIndexPrefix(incarnation)}", ct))
            if (CommitKeys.IsCheckpointPath(incarnation, item.Key[strip..])) paths.Add(item.Key[strip..]);
        paths.Sort(StringComparer.Ordinal);
        return paths;
    }

    /// <summary>
    /// The newest checkpoint index this build reads, or null (none, or replaced since the listing): the one covering
    /// the most commit objects (its name says), and of two covering as many, the later written.
    /// </summary>
    public static async Task<CommitCheckpoint?> ReadNewestIndexAsync(Dataset dataset, string incarnation, CancellationToken ct)
    {
        var all = await ListIndexesAsync(dataset, incarnation, ct);
        if (all.Count == 0) return null;
        var newest = await ReadIndexAsync(dataset, all[^1], ct);
        // Names end in a random id, so two checkpoints of one count (one rewritten to record its journal minute) sort either way.
        if (all.Count > 1 && CommitKeys.CheckpointCountOf(all[^2]) == CommitKeys.CheckpointCountOf(all[^1]) &&
            await ReadIndexAsync(dataset, all[^2], ct) is { } other && (newest is null || other.CreatedUtc > newest.CreatedUtc))
            newest = other;
        return newest is null || newest.SchemaVersion > CommitCheckpoint.CurrentSchemaVersion ? null : newest;
    }

    /// <summary>One checkpoint index, or null when it is gone (a newer writer deleted it since the listing).</summary>
    /// <exception cref="InvalidDataException">Not valid JSON.</exception>
    public static async Task<CommitCheckpoint?> ReadIndexAsync(Dataset dataset, string path, CancellationToken ct)
    {
        var content = await dataset.Storage.ReadVersionedAsync(dataset.KeyOf(path), ct);
        return content is null ? null : ShardJson.Deserialize<CommitCheckpoint>(content.Content, $"Checkpoint {dataset.Storage.RootUri}/{dataset.KeyOf(path)}");
    }

    /// <summary>
    /// The segments <paramref name="refs"/> name, read 16 at a time; a segment that is gone, unreadable or not the
    /// block its reference says is null, and its shards are then read from their commit objects instead (a
    /// checkpoint is a cache: missing parts cost fetches, never shards).
    /// </summary>
    public static async Task<CheckpointSegment?[]> ReadSegmentsAsync(Dataset dataset, IReadOnlyList<CheckpointSegmentRef> refs, CancellationToken ct)
    {
        var segments = new CheckpointSegment?[refs.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, refs.Count),
            new ParallelOptions { MaxDegreeOfParallelism = CommitLog.ParallelRequests, CancellationToken = ct },
            async (i, token) => segments[i] = await TryReadSegmentAsync(dataset, refs[i], token));
        return segments;
    }

    /// <summary>One segment, or null when it is gone, unreadable or not what <paramref name="reference"/> says.</summary>
    public static async Task<CheckpointSegment?> TryReadSegmentAsync(Dataset dataset, CheckpointSegmentRef reference, CancellationToken ct)
    {
        try
        {
            var segment = await ReadSegmentAsync(dataset, reference, ct);
            return segment.Kind == reference.Kind && segment.Block == reference.Block && segment.Shards.Count == reference.Shards ? segment : null;
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>One segment as stored (for verify, which reports what a reader would skip).</summary>
    /// <exception cref="FileNotFoundException">The segment is gone.</exception>
    /// <exception cref="InvalidDataException">Not valid JSON.</exception>
    public static async Task<CheckpointSegment> ReadSegmentAsync(Dataset dataset, CheckpointSegmentRef reference, CancellationToken ct)
    {
        var key = dataset.KeyOf(reference.Path);
        var content = await dataset.Storage.ReadVersionedAsync(key, ct)
            ?? throw new FileNotFoundException($"Checkpoint segment {dataset.Storage.RootUri}/{key} is gone.", key);
        return ShardJson.Deserialize<CheckpointSegment>(content.Content, $"Checkpoint segment {dataset.Storage.RootUri}/{key}");
    }

    /// <summary>
    /// The heads of the segment <paramref name="reference"/> names, from its heads file, or null when it has none
    /// (an older checkpoint), or the file is gone, unreadable or disagrees with the reference: the caller then reads
    /// the segment itself.
    /// </summary>
    public static async Task<ShardHead[]?> TryReadHeadsAsync(Dataset dataset, CheckpointSegmentRef reference, CancellationToken ct)
    {
        if (reference.HeadsPath is null) return null;
        try
        {
            var heads = await ReadHeadsAsync(dataset, reference.HeadsPath, ct);
            return SegmentHeads.Disagreement(heads, reference) is null ? heads : null;
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>One heads file as stored (for verify).</summary>
    /// <exception cref="FileNotFoundException">The file is gone.</exception>
    /// <exception cref="InvalidDataException">Not a heads file.</exception>
    public static async Task<ShardHead[]> ReadHeadsAsync(Dataset dataset, string path, CancellationToken ct)
    {
        var key = dataset.KeyOf(path);
        var content = await dataset.Storage.ReadVersionedAsync(key, ct)
            ?? throw new FileNotFoundException($"Segment heads file {dataset.Storage.RootUri}/{key} is gone.", key);
        return SegmentHeads.Decode(content.Content, $"Segment heads file {dataset.Storage.RootUri}/{key}");
    }

    /// <summary>
    /// Stores the segment of one block (entries by index) and its heads file, each unless the same content is stored
    /// already under its name; returns its reference.
    /// </summary>
    public static async Task<CheckpointSegmentRef> WriteSegmentAsync(Dataset dataset, string incarnation, string kind, int block,
        IReadOnlyList<ShardEntry> entries, CheckpointSegmentRef? current, CancellationToken ct)
    {
        var content = ShardJson.SerializeCompact(new CheckpointSegment { Kind = kind, Block = block, Shards = entries });
        var path = CommitKeys.SegmentPath(incarnation, kind, block, CheckpointSegmentRef.ContentId(content));
        var headsPath = CommitKeys.HeadsPathOf(path);
        // Same name, same bytes: a block whose entries came back to what is stored needs no write.
        if (path != current?.Path) await dataset.Storage.WriteAsync(dataset.KeyOf(path), content, ct);
        if (headsPath != current?.HeadsPath) await dataset.Storage.WriteAsync(dataset.KeyOf(headsPath), SegmentHeads.Encode(entries), ct);
        return CheckpointSegmentRef.Of(kind, block, path, entries) with { HeadsPath = headsPath };
    }

    /// <summary>
    /// Writes <paramref name="checkpoint"/>'s index (its segments are written already), deletes all but the newest
    /// <see cref="IndexesKept"/> indexes, and deletes segments that no kept index names and that are older than
    /// <see cref="SegmentGrace"/>.
    /// </summary>
    public static async Task WriteIndexAsync(Dataset dataset, string incarnation, CommitCheckpoint checkpoint, CancellationToken ct)
    {
        var written = CommitKeys.CheckpointPath(incarnation, checkpoint.CommitObjects);
        await dataset.Storage.WriteAsync(dataset.KeyOf(written), ShardJson.SerializeCompact(checkpoint), ct);
        var all = await ListIndexesAsync(dataset, incarnation, ct);
        var kept = all.Skip(Math.Max(0, all.Count - IndexesKept)).ToList();
        foreach (var old in all.Take(all.Count - kept.Count))
            await dataset.Storage.DeleteAsync(dataset.KeyOf(old), ct);

        var referenced = new HashSet<string>(StringComparer.Ordinal);
        void Name(IEnumerable<CheckpointSegmentRef> refs)
        {
            foreach (var reference in refs)
            {
                referenced.Add(reference.Path);
                if (reference.HeadsPath is not null) referenced.Add(reference.HeadsPath);
            }
        }
        Name(checkpoint.Segments);
        foreach (var other in kept.Where(p => p != written))
            if (await ReadIndexAsync(dataset, other, ct) is { } index) Name(index.Segments);
        var strip = dataset.Prefix.Length + 1;
        var cutoff = dataset.Clock.GetUtcNow() - SegmentGrace;
        var unreferenced = new List<string>();
        await foreach (var item in dataset.Storage.ListAsync($"{dataset.Prefix}/{CommitKeys.SegmentsFolderOf(incarnation)}", ct))
            if (!referenced.Contains(item.Key[strip..]) && item.LastModified < cutoff) unreferenced.Add(item.Key);
        foreach (var key in unreferenced) await dataset.Storage.DeleteAsync(key, ct);
    }
}
