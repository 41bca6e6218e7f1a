using SSeg.Shards.Commits;

namespace SSeg.Shards;

/// <summary>
/// Checks a dataset's commit log without trusting any cache: every commit object readable and named after the
/// shard and version it holds, each shard's versions 1..n without gaps, every checkpoint entry (inline or in a
/// segment) equal to the commit object it stands for (a checkpoint is a cache of them and must not disagree), and
/// every segment present, of its block, with the totals its index gives, and its heads file (where named) its heads. Journal entries that name an
/// existing commit object belong to the log; one that names none is left out, so it is reported as an orphan (its
/// object was deleted by hand: a writer files the entry after the object, so a killed writer cannot leave one).
/// </summary>
internal static class CommitLogVerifier
{
    public static async Task<(IReadOnlyList<string> Problems, IReadOnlySet<string> Paths)> VerifyAsync(Dataset dataset, string incarnation, CancellationToken ct)
    {
        var problems = new List<string>();
        var paths = new HashSet<string>(StringComparer.Ordinal);
        var versions = new Dictionary<(string Kind, int Index), List<int>>();
        var commits = new Dictionary<string, ShardEntry>(StringComparer.Ordinal);
        var strip = dataset.Prefix.Length + 1;
        await foreach (var item in dataset.Storage.ListAsync($"{dataset.Prefix}/{CommitKeys.CommitsFolderOf(incarnation)}/", ct))
        {
            var path = item.Key[strip..];
            if (!CommitKeys.TryParseCommitPath(incarnation, path, out var kind, out var index, out var version)) continue;   // reported as an orphan
            paths.Add(path);
            try
            {
                commits[path] = (await dataset.Commits.ReadAsync(incarnation, path, ct)).Entry;
                (versions.TryGetValue((kind, index), out var list) ? list : versions[(kind, index)] = []).Add(version);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                problems.Add($"{path}: {UnreadableShardException.Describe(e)}");
            }
        }
        await foreach (var item in dataset.Storage.ListAsync($"{dataset.Prefix}/{CommitKeys.JournalFolderOf(incarnation)}/", ct))
        {
            var path = item.Key[strip..];
            if (!CommitKeys.TryParseJournalPath(incarnation, path, out var commitPath)) continue;   // reported as an orphan
            // An object created after the listing above is probed, so a commit running beside verify is no orphan.
            if (paths.Contains(commitPath) || await dataset.Storage.GetInfoAsync(dataset.KeyOf(commitPath), ct) is not null) paths.Add(path);
        }
        // The journal's trim mark belongs to the log when present.
        var trimMark = CommitKeys.JournalTrimMarkPath(incarnation);
        if (await dataset.Storage.GetInfoAsync(dataset.KeyOf(trimMark), ct) is not null) paths.Add(trimMark);
        foreach (var ((kind, index), list) in versions)
        {
            list.Sort();
            if (list[^1] != list.Count) problems.Add($"{kind} {ShardNames.PartName(index)}: commit versions {string.Join(",", list)} have a gap");
        }
        void CheckEntries(string where, IEnumerable<ShardEntry> entries, List<string> found)
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

        async Task<List<string>> CheckSegmentAsync(CheckpointSegmentRef reference)
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
            var outside = segment.Shards.Where(e => e.Kind != reference.Kind || CheckpointSegment.BlockOf(e.Index) != reference.Block).ToList();
            if (segment.Kind != reference.Kind || segment.Block != reference.Block || outside.Count > 0)
                found.Add($"{what}: holds shards of another kind or block than its checkpoint says");
            else if (!SameTotals(reference, CheckpointSegmentRef.Of(reference.Kind, reference.Block, reference.Path, segment.Shards)))
                found.Add($"{what}: its totals in the checkpoint index differ from its entries");
            CheckEntries(what, segment.Shards, found);
            found.AddRange(await CheckHeadsAsync(dataset, reference, segment, ct));
            return found;
        }

        foreach (var checkpointPath in await CommitCheckpoints.ListIndexesAsync(dataset, incarnation, ct))
        {
            paths.Add(checkpointPath);
            try
            {
                if (await CommitCheckpoints.ReadIndexAsync(dataset, checkpointPath, ct) is not { } checkpoint) continue;   // replaced since the listing
                CheckEntries(checkpointPath, checkpoint.Shards, problems);
                foreach (var reference in checkpoint.Segments)
                    problems.AddRange(await CheckSegmentAsync(reference));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                problems.Add($"{checkpointPath}: {UnreadableShardException.Describe(e)}");
            }
        }
        // Segments belong to the log whether or not a kept index names them: the next checkpoint writer deletes
        // unnamed ones once they are old enough that no writer beside it can be about to name them.
        await foreach (var item in dataset.Storage.ListAsync($"{dataset.Prefix}/{CommitKeys.SegmentsFolderOf(incarnation)}", ct))
            paths.Add(item.Key[strip..]);
        return (problems, paths);
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
