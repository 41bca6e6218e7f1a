using System.Globalization;
using SSeg.Shards.Commits;

namespace SSeg.Shards;

/// <summary>
/// Files under a dataset folder that nothing names: neither dataset.json, the commit log
/// (<see cref="CommitLogVerifier.OwnsAsync"/>), nor a committed shard (its file, stats and failures sidecars).
/// </summary>
/// <remarks>
/// Without a set of every named path: a shard's files are named after it (<c>kind/part-00042.parquet</c>,
/// <c>.stats.json</c>, <c>.failures.parquet</c>, replacements <c>part-00042.r&lt;ms&gt;-&lt;id&gt;.*</c>), so a listed file
/// can only belong to the shard its name gives. The listing is taken block by block (<see cref="ShardBlockGroups{T}"/>)
/// and each block's files are compared with that block's committed entries, read as a view reads them: one block of
/// entries is held at a time. The few paths of entries that do not follow that naming (this library writes none) are
/// collected by the shard pass (<see cref="NoteUnusualPaths"/>) and matched as they are.
/// </remarks>
internal static class DatasetOrphans
{
    private const string PartPrefix = "part-";

    public static async Task<List<string>> FindAsync(Dataset dataset, DatasetManifest metadata, CommitLogSnapshot snapshot,
        CommitLogVerifier log, IReadOnlySet<string> unusualPaths, VerifyRead read, CancellationToken ct)
    {
        var orphans = new List<string>();
        async Task CheckAsync(ShardBlockGroups<(string Path, int Index)>.Group files)
        {
            var entries = await CommitLogStream.ReadBlockAsync(dataset, metadata, snapshot, files.Kind, files.Block, new CommitStreamRead(), ct);
            read.Holding(entries.Count);
            var byIndex = entries.ToDictionary(e => e.Index);
            foreach (var (path, index) in files.Items)
                if (!(byIndex.TryGetValue(index, out var entry) && (entry.Path == path || entry.StatsPath == path || entry.FailuresPath == path)))
                    orphans.Add(path);
        }

        var groups = new ShardBlockGroups<(string Path, int Index)>();
        var strip = dataset.Prefix.Length + 1;
        await foreach (var item in dataset.Storage.ListAsync(dataset.Prefix + "/", ct))
        {
            var path = item.Key[strip..];
            if (path == ShardNames.ManifestFile || unusualPaths.Contains(path)) continue;
            if (IsLogPath(path))
            {
                if (!await log.OwnsAsync(path, ct)) orphans.Add(path);
            }
            else if (TryParseShardFile(path, out var kind, out var index))
            {
                foreach (var files in groups.Add(path, kind, index, (path, index))) await CheckAsync(files);
            }
            else orphans.Add(path);
        }
        foreach (var files in groups.Complete()) await CheckAsync(files);
        // In key order, as listed: blocks complete out of it where indexes of different lengths interleave.
        orphans.Sort(StringComparer.Ordinal);
        return orphans;
    }

    /// <summary>Adds to <paramref name="unusual"/> each path of <paramref name="entry"/> that is not named after its own shard.</summary>
    public static void NoteUnusualPaths(ShardEntry entry, ISet<string> unusual)
    {
        foreach (var path in new[] { entry.Path, entry.StatsPath, entry.FailuresPath })
            if (path is not null && (IsLogPath(path) || !TryParseShardFile(path, out var kind, out var index) || kind != entry.Kind || index != entry.Index))
                unusual.Add(path);
    }

    private static bool IsLogPath(string path) =>
        path.StartsWith(CommitKeys.CommitsFolder + "/", StringComparison.Ordinal) ||
        path.StartsWith(CommitKeys.CheckpointsFolder + "/", StringComparison.Ordinal) ||
        path.StartsWith(CommitKeys.JournalFolder + "/", StringComparison.Ordinal);

    /// <summary>The kind and index of <c>kind/part-00042...</c>, its index spelled as <see cref="ShardNames.PartName"/> spells it.</summary>
    private static bool TryParseShardFile(string path, out string kind, out int index)
    {
        kind = "";
        index = 0;
        var slash = path.LastIndexOf('/');
        if (slash <= 0 || string.CompareOrdinal(path, slash + 1, PartPrefix, 0, PartPrefix.Length) != 0) return false;
        var digitsStart = slash + 1 + PartPrefix.Length;
        var digitsEnd = digitsStart;
        while (digitsEnd < path.Length && char.IsAsciiDigit(path[digitsEnd])) digitsEnd++;
        if (!int.TryParse(path.AsSpan(digitsStart, digitsEnd - digitsStart), NumberStyles.None, CultureInfo.InvariantCulture, out index) ||
            ShardNames.PartName(index).Length != digitsEnd - slash - 1) return false;
        kind = path[..slash];
        return true;
    }
}
