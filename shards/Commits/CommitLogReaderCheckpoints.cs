namespace SSeg.Shards.Commits;

/// <summary>The reader's checkpoints: loading the newest one on a first read, and writing one of what it knows.</summary>
internal sealed partial class CommitLogReader
{
    /// <summary>
    /// Writes a checkpoint (best effort) that records <paramref name="journalFrom"/>, the journal minute a new reader of
    /// it starts from (null: none, it lists every name), and trims the journal after it.
    /// </summary>
    private async Task CheckpointAsync(Dataset dataset, string incarnation, long covered, DateTimeOffset now, DateTimeOffset? journalFrom,
        ReadCost cost, CancellationToken ct)
    {
        var written = await TryWriteCheckpointAsync(dataset, incarnation, covered, now, journalFrom, ct);
        if (written >= 0)
        {
            cost.CheckpointWritten = true;
            cost.SegmentsWritten += written;
            cost.Trimmed += await TryTrimJournalAsync(dataset, incarnation, ct);
        }
        _fetchedSinceCheckpoint = 0;
    }

    /// <summary>
    /// Loads the newest checkpoint: its index, then each segment's heads, from its heads file where it has a sound one
    /// and from the segment otherwise. A block neither can give is skipped (its shards' commit objects are fetched
    /// instead, and its block is written again with the next checkpoint).
    /// </summary>
    private async Task<CommitCheckpoint?> TryLoadCheckpointAsync(Dataset dataset, string incarnation, DateTimeOffset now, CancellationToken ct)
    {
        var checkpoint = await CommitCheckpoints.ReadNewestIndexAsync(dataset, incarnation, ct);
        if (checkpoint is null) return null;
        _listed = checkpoint.CommitObjects;   // a reader that starts from the journal counts on from here
        foreach (var entry in checkpoint.Shards) Apply(entry, null, fromSegment: false);   // schema 1: every entry inline, no segments yet
        // A few at a time, so that what is held while loading is a few blocks, not the checkpoint.
        const int batch = CommitLog.ParallelRequests;
        for (var start = 0; start < checkpoint.Segments.Count; start += batch)
        {
            var refs = checkpoint.Segments.Skip(start).Take(batch).ToList();
            var heads = new ShardHead[]?[refs.Count];
            await Parallel.ForEachAsync(Enumerable.Range(0, refs.Count),
                new ParallelOptions { MaxDegreeOfParallelism = CommitLog.ParallelRequests, CancellationToken = ct },
                async (i, token) => heads[i] = await CommitCheckpoints.TryReadHeadsAsync(dataset, refs[i], token));
            var withoutHeads = Enumerable.Range(0, refs.Count).Where(i => heads[i] is null).ToList();
            var segments = await CommitCheckpoints.ReadSegmentsAsync(dataset, withoutHeads.Select(i => refs[i]).ToList(), ct);
            for (var i = 0; i < refs.Count; i++)
            {
                var kind = string.IsInterned(refs[i].Kind) ?? string.Intern(refs[i].Kind);
                var key = (kind, refs[i].Block);
                if (heads[i] is { } blockHeads)
                {
                    foreach (var head in blockHeads) TakeHead(kind, head);
                    if (refs[i].LatestCommitUtc > _latestCommitUtc) _latestCommitUtc = refs[i].LatestCommitUtc;
                    _headsLoaded++;
                    _segments[key] = (refs[i], now);
                }
                else if (segments[withoutHeads.IndexOf(i)] is { } segment)
                {
                    foreach (var entry in segment.Shards) Apply(entry, null, fromSegment: true);
                    _segmentsLoaded++;
                    // No sound heads file (an older build's checkpoint, or a damaged file): the next checkpoint stores
                    // the block again, which writes its heads file (the segment keeps its name and is not rewritten).
                    _segments[key] = (refs[i] with { HeadsPath = null }, now);
                    _dirty.Add(key);
                }
            }
            MergeChanges(dataset);
        }
        MergeChanges(dataset);
        foreach (var (id, generator) in checkpoint.Generators) _generators.TryAdd(id, generator);
        return checkpoint;
    }

    /// <summary>Trims the journal (<see cref="CommitJournal.TrimAsync"/>); best effort like the checkpoint it follows.</summary>
    private static async Task<int> TryTrimJournalAsync(Dataset dataset, string incarnation, CancellationToken ct)
    {
        try
        {
            return await CommitJournal.TrimAsync(dataset, incarnation, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return 0;
        }
    }

    /// <summary>
    /// Writes a checkpoint of what this reader knows: the segments of the blocks that changed since their stored
    /// segment, then an index naming every block's segment. Returns the segments written, or -1 when it failed.
    /// Best effort: a reader on a read-only root (a dashboard with read-only credentials) still reads correctly
    /// without one, it only fetches more objects in a new process.
    /// </summary>
    private async Task<int> TryWriteCheckpointAsync(Dataset dataset, string incarnation, long commitObjects, DateTimeOffset now,
        DateTimeOffset? journalFrom, CancellationToken ct)
    {
        try
        {
            // Blocks, not their heads: a spilled block is read back only if it changed since its stored segment.
            var blocks = _heads.OrderBy(h => h.Key, StringComparer.Ordinal)
                .SelectMany(h => h.Value.Blocks.Select(b => (Kind: h.Key, b.Block, Heads: b))).ToList();
            // A segment not seen for a while may have been replaced by other writers' checkpoints and deleted: check
            // that it is still there before naming it again, and store the block again if not.
            var unsure = blocks.Where(b => !_dirty.Contains((b.Kind, b.Block)) && _segments.TryGetValue((b.Kind, b.Block), out var known) && now - known.Seen > SegmentTrusted).ToList();
            var gone = new bool[unsure.Count];
            await Parallel.ForEachAsync(Enumerable.Range(0, unsure.Count), new ParallelOptions { MaxDegreeOfParallelism = CommitLog.ParallelRequests, CancellationToken = ct },
                async (i, token) => gone[i] = await dataset.Storage.GetInfoAsync(dataset.KeyOf(_segments[(unsure[i].Kind, unsure[i].Block)].Ref.Path), token) is null);
            for (var i = 0; i < unsure.Count; i++)
            {
                var key = (unsure[i].Kind, unsure[i].Block);
                if (gone[i]) _segments.Remove(key);   // forgotten, so the same content is written again, not skipped as stored
                else _segments[key] = (_segments[key].Ref, now);
            }
            foreach (var b in blocks)
                if (!_segments.ContainsKey((b.Kind, b.Block))) _dirty.Add((b.Kind, b.Block));

            var changed = blocks.Where(b => _dirty.Contains((b.Kind, b.Block))).ToList();
            var stored = new CheckpointSegmentRef[changed.Count];
            var written = 0;
            var inputs = changed.Select(b => (Previous: _segments.TryGetValue((b.Kind, b.Block), out var known) ? known.Ref : null,
                Unstored: UnstoredOf(b.Kind, b.Heads))).ToList();
            await Parallel.ForEachAsync(Enumerable.Range(0, changed.Count), new ParallelOptions { MaxDegreeOfParallelism = CommitLog.ParallelRequests, CancellationToken = ct },
                async (i, token) =>
                {
                    var (kind, block, heads) = changed[i];
                    var (previous, unstored) = inputs[i];
                    var (entries, _) = await ReadBlockAsync(dataset, incarnation, kind, heads.Heads(), previous, unstored, null, token);
                    stored[i] = await CommitCheckpoints.WriteSegmentAsync(dataset, incarnation, kind, block, entries, previous, token);
                    if (stored[i].Path != previous?.Path) Interlocked.Increment(ref written);
                });
            for (var i = 0; i < changed.Count; i++) _segments[(changed[i].Kind, changed[i].Block)] = (stored[i], now);
            var refs = blocks.Select(b => _segments[(b.Kind, b.Block)].Ref).ToList();
            await CommitCheckpoints.WriteIndexAsync(dataset, incarnation, new CommitCheckpoint
            {
                CommitObjects = commitObjects,
                CreatedUtc = DateTimeOffset.UtcNow,
                JournalFrom = journalFrom,
                Segments = refs,
                Generators = new SortedDictionary<string, MaskGeneratorInfo>(_generators, StringComparer.Ordinal),
            }, ct);
            _dirty.Clear();
            _unstored.Clear();
            return written;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The entries stay for the next try, up to a bound; past it they are read back from their commit objects.
            if (_unstored.Count > UnstoredLimit) _unstored.Clear();
            return -1;
        }
    }
}
