using System.Globalization;

namespace SSeg.Shards.Commits;

/// <summary>
/// Names of the commit log inside a dataset folder (paths relative to it):
/// <c>_commits/&lt;incarnation&gt;/&lt;kind&gt;/part-00042.v000001.json</c> (one immutable object per shard version) and
/// <c>_checkpoints/&lt;incarnation&gt;/cp-&lt;commit objects:D12&gt;-&lt;random&gt;.json</c> (compacted snapshots).
/// The incarnation is the random id dataset.json got when the dataset was created
/// (<see cref="DatasetManifest.Incarnation"/>): objects left by a deleted dataset whose deletion was cut short are in
/// another incarnation's folder and never become shards of a dataset recreated under the same name.
/// </summary>
internal static class CommitKeys
{
    public const string CommitsFolder = "_commits";
    public const string CheckpointsFolder = "_checkpoints";
    private const string VersionMarker = ".v";
    private const string JsonSuffix = ".json";
    private const string CheckpointPrefix = "cp-";

    /// <summary><c>_commits/images/part-00042.v000001.json</c>.</summary>
    /// <summary><c>_commits/&lt;incarnation&gt;</c>.</summary>
    public static string CommitsFolderOf(string incarnation) => $"{CommitsFolder}/{incarnation}";

    /// <summary><c>_checkpoints/&lt;incarnation&gt;</c>.</summary>
    public static string CheckpointsFolderOf(string incarnation) => $"{CheckpointsFolder}/{incarnation}";

    public static string CommitPath(string incarnation, string kind, int index, int version)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(version);
        return $"{CommitsFolderOf(incarnation)}/{kind}/{ShardNames.PartName(index)}{VersionMarker}{version.ToString("D6", CultureInfo.InvariantCulture)}{JsonSuffix}";
    }

    /// <summary>Parses a path made by <see cref="CommitPath"/>; false for anything else under the folder.</summary>
    public static bool TryParseCommitPath(string incarnation, string path, out string kind, out int index, out int version)
    {
        kind = "";
        index = version = 0;
        var folder = CommitsFolderOf(incarnation);
        if (!path.StartsWith(folder + "/", StringComparison.Ordinal) || !path.EndsWith(JsonSuffix, StringComparison.Ordinal)) return false;
        var slash = path.LastIndexOf('/');
        if (slash <= folder.Length) return false;
        kind = path[(folder.Length + 1)..slash];
        var file = path[(slash + 1)..^JsonSuffix.Length];
        var marker = file.LastIndexOf(VersionMarker, StringComparison.Ordinal);
        return file.StartsWith("part-", StringComparison.Ordinal) && marker > 5 &&
               int.TryParse(file.AsSpan(5, marker - 5), NumberStyles.None, CultureInfo.InvariantCulture, out index) &&
               int.TryParse(file.AsSpan(marker + VersionMarker.Length), NumberStyles.None, CultureInfo.InvariantCulture, out version) &&
               version > 0 && path == CommitPath(incarnation, kind, index, version);
    }

    /// <summary>A new checkpoint name; names sort by the number of commit objects the checkpoint covers.</summary>
    public static string CheckpointPath(string incarnation, long commitObjects) =>
        $"{CheckpointsFolderOf(incarnation)}/{CheckpointPrefix}{commitObjects.ToString("D12", CultureInfo.InvariantCulture)}-{Guid.NewGuid().ToString("N")[..8]}{JsonSuffix}";

    /// <summary>True for a path made by <see cref="CheckpointPath"/>.</summary>
    public static bool IsCheckpointPath(string incarnation, string path) =>
        path.StartsWith($"{CheckpointsFolderOf(incarnation)}/{CheckpointPrefix}", StringComparison.Ordinal) && path.EndsWith(JsonSuffix, StringComparison.Ordinal);
}
