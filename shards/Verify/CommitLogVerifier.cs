using SSeg.Shards.Commits;

namespace SSeg.Shards;

/// <summary>
/// Checks a dataset's commit log without trusting any cache: every commit object readable and named after the
/// shard and version it holds, each shard's versions 1..n without gaps, and every checkpoint entry equal to the
/// commit object it stands for (a checkpoint is a cache of them and must not disagree). Journal entries that name an
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
        foreach (var checkpointPath in await CommitLogReader.ListCheckpointsAsync(dataset, incarnation, ct))
        {
            paths.Add(checkpointPath);
            try
            {
                var content = await dataset.Storage.ReadVersionedAsync(dataset.KeyOf(checkpointPath), ct);
                if (content is null) continue;   // replaced since the listing
                var checkpoint = ShardJson.Deserialize<CommitCheckpoint>(content.Content, checkpointPath);
                foreach (var entry in checkpoint.Shards)
                {
                    var commitPath = CommitKeys.CommitPath(incarnation, entry.Kind, entry.Index, entry.Version);
                    if (!commits.TryGetValue(commitPath, out var committed))
                        problems.Add($"{checkpointPath}: lists {commitPath}, which is not in the commit log");
                    else if (!SameContent(committed, entry))
                        problems.Add($"{checkpointPath}: its entry for {commitPath} differs from the commit object");
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                problems.Add($"{checkpointPath}: {UnreadableShardException.Describe(e)}");
            }
        }
        return (problems, paths);
    }

    private static bool SameContent(ShardEntry a, ShardEntry b) =>
        a.Path == b.Path && a.Sha256 == b.Sha256 && a.Bytes == b.Bytes && a.Rows == b.Rows && a.StatsPath == b.StatsPath &&
        a.FailuresPath == b.FailuresPath && a.Failures == b.Failures;
}
