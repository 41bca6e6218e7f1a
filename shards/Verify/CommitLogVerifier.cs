using SSeg.Shards.Commits;

namespace SSeg.Shards;

/// <summary>
/// Checks a dataset's commit log without trusting any cache: every commit object readable and named after the
/// shard and version it holds, each shard's versions 1..n without gaps, every checkpoint entry (inline or in a
/// segment) equal to the commit object it stands for (a checkpoint is a cache of them and must not disagree), and
/// every segment present, of its block, with the totals its index gives, and its heads file (where named) its heads.
/// Journal entries that name an existing commit object belong to the log; one that names none does not, so it is
/// reported as an orphan (its object was deleted by hand: a writer files the entry after the object, so a killed
/// writer cannot leave one).
/// <para>
/// It holds one block's commit objects at a time: the listing of commit objects is taken block by block
/// (<see cref="ShardBlockGroups{T}"/>), and each block's objects are read, their versions checked and compared with
/// that block's entries in every checkpoint. What it keeps for the whole log is the checkpoints' segment references (a
/// few hundred bytes per block) and, per shard, its newest listed version (12 bytes), which <see cref="OwnsAsync"/>
/// needs for older builds' journal entries.
/// </para>
/// </summary>
internal sealed class CommitLogVerifier
{
    private readonly Dataset _dataset;
    private readonly string _incarnation;
    private readonly List<string> _problems = [];
    /// <summary>Per kind, by index once the listing is done: each listed shard's newest version, and whether versions 1 to it were all listed.</summary>
    private readonly Dictionary<string, List<(int Index, int Newest, bool Complete)>> _listed = new(StringComparer.Ordinal);

    private CommitLogVerifier(Dataset dataset, string incarnation)
    {
        _dataset = dataset;
        _incarnation = incarnation;
    }

    /// <summary>What is wrong with the log; empty when it is sound.</summary>
    public IReadOnlyList<string> Problems => _problems;

    public static async Task<CommitLogVerifier> VerifyAsync(Dataset dataset, string incarnation, VerifyRead read, CancellationToken ct)
    {
        var verifier = new CommitLogVerifier(dataset, incarnation);
        await verifier.CheckAsync(read, ct);
        return verifier;
    }

    private async Task CheckAsync(VerifyRead read, CancellationToken ct)
    {
        // Checkpoints first: one covers only commit objects made before it was written, and commit objects are never
        // deleted, so every object a checkpoint read here names is in the listing that follows.
        var segments = new Dictionary<(string Kind, int Block), List<(string IndexPath, CheckpointSegmentRef Ref)>>();
        var inline = new Dictionary<(string Kind, int Block), List<(string IndexPath, ShardEntry Entry)>>();
        foreach (var checkpointPath in await CommitCheckpoints.ListIndexesAsync(_dataset, _incarnation, ct))
        {
            try
            {
                if (await CommitCheckpoints.ReadIndexAsync(_dataset, checkpointPath, ct) is not { } checkpoint) continue;   // replaced since the listing
                // Schema 1 listed every entry inline: held as stored (the first newer checkpoint replaces such a one).
                foreach (var entry in checkpoint.Shards) AddTo(inline, (entry.Kind, CheckpointSegment.BlockOf(entry.Index)), (checkpointPath, entry));
                foreach (var reference in checkpoint.Segments) AddTo(segments, (reference.Kind, reference.Block), (checkpointPath, reference));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _problems.Add($"{checkpointPath}: {UnreadableShardException.Describe(e)}");
            }
        }
        read.Holding(inline.Values.Sum(l => l.Count));

        var groups = new ShardBlockGroups<(string Path, int Index, int Version)>();
        var strip = _dataset.Prefix.Length + 1;
        await foreach (var item in _dataset.Storage.ListAsync($"{_dataset.Prefix}/{CommitKeys.CommitsFolderOf(_incarnation)}/", ct))
        {
            var path = item.Key[strip..];
            if (!CommitKeys.TryParseCommitPath(_incarnation, path, out var kind, out var index, out var version)) continue;   // reported as an orphan
            foreach (var group in groups.Add(path, kind, index, (path, index, version)))
                await CheckBlockAsync(group.Kind, group.Block, group.Items, segments, inline, read, ct);
        }
        foreach (var group in groups.Complete())
            await CheckBlockAsync(group.Kind, group.Block, group.Items, segments, inline, read, ct);
        // Blocks a checkpoint names but the log has no object of: each of their entries is one the log lacks.
        foreach (var (kind, block) in segments.Keys.Concat(inline.Keys).Distinct().ToList())
            await CheckBlockAsync(kind, block, [], segments, inline, read, ct);
        foreach (var shards in _listed.Values) shards.Sort((a, b) => a.Index.CompareTo(b.Index));
    }

    private static void AddTo<TKey, T>(Dictionary<TKey, List<T>> lists, TKey key, T item) where TKey : notnull =>
        (lists.TryGetValue(key, out var list) ? list : lists[key] = []).Add(item);

    /// <summary>Reads one block's listed commit objects, checks their versions, and compares the block's checkpoint entries with them.</summary>
    private async Task CheckBlockAsync(string kind, int block, List<(string Path, int Index, int Version)> listed,
        Dictionary<(string Kind, int Block), List<(string IndexPath, CheckpointSegmentRef Ref)>> segments,
        Dictionary<(string Kind, int Block), List<(string IndexPath, ShardEntry Entry)>> inline, VerifyRead read, CancellationToken ct)
    {
        var fetched = new ShardEntry?[listed.Count];
        var errors = new string?[listed.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, listed.Count),
            new ParallelOptions { MaxDegreeOfParallelism = CommitLog.ParallelRequests, CancellationToken = ct },
            async (i, token) =>
            {
                try { fetched[i] = (await _dataset.Commits.ReadAsync(_incarnation, listed[i].Path, token)).Entry; }
                catch (Exception e) when (e is not OperationCanceledException) { errors[i] = $"{listed[i].Path}: {UnreadableShardException.Describe(e)}"; }
            });
        var commits = new Dictionary<string, ShardEntry>(listed.Count, StringComparer.Ordinal);
        for (var i = 0; i < listed.Count; i++)
        {
            if (errors[i] is { } error) _problems.Add(error);
            else commits[listed[i].Path] = fetched[i]!;
        }
        read.Holding(commits.Count);
        read.LogBlocksChecked++;

        foreach (var shard in listed.GroupBy(l => l.Index).OrderBy(g => g.Key))
        {
            // Of the objects that read: an unreadable one is a gap for readers too.
            var versions = shard.Where(l => commits.ContainsKey(l.Path)).Select(l => l.Version).Order().ToList();
            if (versions.Count > 0 && versions[^1] != versions.Count)
                _problems.Add($"{kind} {ShardNames.PartName(shard.Key)}: commit versions {string.Join(",", versions)} have a gap");
            var newest = shard.Max(l => l.Version);
            AddTo(_listed, kind, (shard.Key, newest, shard.Count() == newest));
        }

        if (inline.Remove((kind, block), out var entries))
            foreach (var checkpoint in entries.GroupBy(e => e.IndexPath))
                CheckEntries(_incarnation, checkpoint.Key, checkpoint.Select(e => e.Entry), commits, _problems);
        if (segments.Remove((kind, block), out var references))
            foreach (var (indexPath, reference) in references)
            {
                read.Holding(commits.Count + reference.Shards);
                var found = await CheckSegmentAsync(_dataset, _incarnation, reference, commits, ct);
                // A checkpoint replaced while verify ran may have lost its segments to a later writer's collection: not damage.
                if (found.Count > 0 && await _dataset.Storage.GetInfoAsync(_dataset.KeyOf(indexPath), ct) is null) continue;
                _problems.AddRange(found);
            }
    }

    /// <summary>
    /// Checks one checkpoint segment against the commit objects of its block (<paramref name="commits"/>, by commit
    /// path): readable, of the block its reference says, with the reference's totals, each entry equal to its object,
    /// and its heads file (where its reference names one) holding the entries' heads.
    /// </summary>
    private static async Task<List<string>> CheckSegmentAsync(Dataset dataset, string incarnation, CheckpointSegmentRef reference,
        IReadOnlyDictionary<string, ShardEntry> commits, CancellationToken ct)
    {
        var found = new List<string>();
        var what = $"{reference.Path} ({CheckpointSegmentRef.Describe(reference.Kind, reference.Block)})";
        CheckpointSegment segment;
        try
        {
            segment = await CommitCheckpoints.ReadSegmentAsync(dataset, reference, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return [$"{what}: {UnreadableShardException.Describe(e)}"];
        }
        bool InBlock(ShardEntry e) => e.Kind == reference.Kind && CheckpointSegment.BlockOf(e.Index) == reference.Block;
        if (segment.Kind != reference.Kind || segment.Block != reference.Block || !segment.Shards.All(InBlock))
            found.Add($"{what}: holds shards of another kind or block than its checkpoint says");
        else if (!SameTotals(reference, CheckpointSegmentRef.Of(reference.Kind, reference.Block, reference.Path, segment.Shards)))
            found.Add($"{what}: its totals in the checkpoint index differ from its entries");
        // Entries of another block are the segment's fault, reported above; only its block's objects are at hand.
        CheckEntries(incarnation, what, segment.Shards.Where(InBlock), commits, found);
        found.AddRange(await CheckHeadsAsync(dataset, reference, segment, ct));
        return found;
    }

    private static void CheckEntries(string incarnation, string where, IEnumerable<ShardEntry> entries, IReadOnlyDictionary<string, ShardEntry> commits, List<string> found)
    {
        foreach (var entry in entries)
        {
            var commitPath = CommitKeys.CommitPath(incarnation, entry.Kind, entry.Index, entry.Version);
            if (!commits.TryGetValue(commitPath, out var committed))
                found.Add($"{where}: lists {commitPath}, which is not in the commit log");
            else if (!SameContent(committed, entry))
                found.Add($"{where}: its entry for {commitPath} differs from the commit object");
        }
    }

    /// <summary>
    /// True when <paramref name="path"/> (relative to the dataset folder) belongs to this incarnation's log: a commit
    /// object (a damaged one is a problem, not an orphan), a checkpoint index or segment, the journal's minute logs and its trim and
    /// sweep marks, or an older build's journal entry whose commit object exists. Call after <see cref="VerifyAsync"/>.
    /// </summary>
    public async Task<bool> OwnsAsync(string path, CancellationToken ct)
    {
        if (CommitKeys.TryParseCommitPath(_incarnation, path, out _, out _, out _) || CommitKeys.IsCheckpointPath(_incarnation, path) ||
            path.StartsWith(CommitKeys.SegmentsFolderOf(_incarnation), StringComparison.Ordinal) ||
            path == CommitKeys.JournalTrimMarkPath(_incarnation) || path == CommitKeys.JournalSweepMarkPath(_incarnation) ||
            path == CommitKeys.JournalSweepStepPath(_incarnation) ||
            CommitKeys.TryParseJournalLogPath(_incarnation, path, out _, out _))
            return true;
        if (!CommitKeys.TryParseJournalPath(_incarnation, path, out var commitPath)) return false;
        CommitKeys.TryParseCommitPath(_incarnation, commitPath, out var kind, out var index, out var version);
        // An object created after the listing is probed, so a commit running beside verify is no orphan.
        return WasListed(kind, index, version) || await _dataset.Storage.GetInfoAsync(_dataset.KeyOf(commitPath), ct) is not null;
    }

    private bool WasListed(string kind, int index, int version)
    {
        if (!_listed.TryGetValue(kind, out var shards)) return false;
        int lo = 0, hi = shards.Count - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (shards[mid].Index == index) return version <= shards[mid].Newest && shards[mid].Complete;
            if (shards[mid].Index < index) lo = mid + 1;
            else hi = mid - 1;
        }
        return false;
    }

    /// <summary>A segment's heads file, when its reference names one: present, readable and the heads of the segment's entries.</summary>
    private static async Task<List<string>> CheckHeadsAsync(Dataset dataset, CheckpointSegmentRef reference, CheckpointSegment segment, CancellationToken ct)
    {
        if (reference.HeadsPath is null) return [];
        try
        {
            var heads = await CommitCheckpoints.ReadHeadsAsync(dataset, reference.HeadsPath, ct);
            return heads.SequenceEqual(segment.Shards.Select(ShardHead.Of)) ? [] : [$"{reference.HeadsPath}: its heads differ from those of segment {reference.Path}"];
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return [$"{reference.HeadsPath}: {UnreadableShardException.Describe(e)}"];
        }
    }

    private static bool SameTotals(CheckpointSegmentRef a, CheckpointSegmentRef b) =>
        a.Shards == b.Shards && a.Rows == b.Rows && a.Bytes == b.Bytes && a.Failures == b.Failures &&
        a.VersionsDigest == b.VersionsDigest && a.LatestCommitUtc == b.LatestCommitUtc &&
        (a.FailuresByReason ?? new Dictionary<string, long>()).OrderBy(p => p.Key, StringComparer.Ordinal)
            .SequenceEqual((b.FailuresByReason ?? new Dictionary<string, long>()).OrderBy(p => p.Key, StringComparer.Ordinal));

    private static bool SameContent(ShardEntry a, ShardEntry b) =>
        a.Path == b.Path && a.Sha256 == b.Sha256 && a.Bytes == b.Bytes && a.Rows == b.Rows && a.StatsPath == b.StatsPath &&
        a.FailuresPath == b.FailuresPath && a.Failures == b.Failures;
}
