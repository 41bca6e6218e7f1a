using System.Globalization;
using System.Text;

namespace SSeg.Shards.Commits;

/// <summary>
/// Names of the commit log inside a dataset folder (paths relative to it):
/// <c>_commits/&lt;incarnation&gt;/&lt;kind&gt;/part-00042.v000001.json</c> (one immutable object per shard version) and
/// <c>_checkpoints/&lt;incarnation&gt;/cp-&lt;commit objects:D12&gt;-&lt;random&gt;.json</c> (compacted snapshots) and
/// <c>_journal/&lt;incarnation&gt;/&lt;yyyyMMddHHmm&gt;.log</c> (an append-only log per UTC minute, one line per commit
/// object made in it, so a poll reads only what was appended since the previous one: <see cref="CommitJournal"/>).
/// The incarnation is the random id dataset.json got when the dataset was created
/// (<see cref="DatasetManifest.Incarnation"/>): objects left by a deleted dataset whose deletion was cut short are in
/// another incarnation's folder and never become shards of a dataset recreated under the same name.
/// </summary>
public static class CommitKeys
{
    public const string CommitsFolder = "_commits";
    public const string CheckpointsFolder = "_checkpoints";
    public const string JournalFolder = "_journal";
    /// <summary>Format of a journal bucket name: its UTC minute.</summary>
    private const string BucketFormat = "yyyyMMddHHmm";
    private const string VersionMarker = ".v";
    private const string JsonSuffix = ".json";
    private const string CheckpointPrefix = "cp-";
    private const string HeadsSuffix = ".heads";
    private const string LogSuffix = ".log";

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

    /// <summary>The count of commit objects in a path made by <see cref="CheckpointPath"/> (its digits, as they sort).</summary>
    public static string CheckpointCountOf(string path)
    {
        var name = path[(path.LastIndexOf('/') + 1)..];
        var dash = name.LastIndexOf('-');
        return dash > 0 ? name[..dash] : name;
    }

    /// <summary><c>_checkpoints/&lt;incarnation&gt;/cp-</c>: the prefix of the checkpoint indexes (not their segments).</summary>
    public static string CheckpointIndexPrefix(string incarnation) => $"{CheckpointsFolderOf(incarnation)}/{CheckpointPrefix}";

    /// <summary><c>_checkpoints/&lt;incarnation&gt;/segments/</c>: the folder of every checkpoint segment.</summary>
    public static string SegmentsFolderOf(string incarnation) => $"{CheckpointsFolderOf(incarnation)}/segments/";

    /// <summary>
    /// <c>_checkpoints/&lt;incarnation&gt;/segments/&lt;kind&gt;/b000042-&lt;content id&gt;.json</c>: a segment, named by
    /// its block and content, so an unchanged block keeps its name from one checkpoint to the next.
    /// </summary>
    public static string SegmentPath(string incarnation, string kind, int block, string contentId) =>
        $"{SegmentsFolderOf(incarnation)}{kind}/{CheckpointSegmentRef.BlockName(block)}-{contentId}{JsonSuffix}";

    /// <summary>
    /// <c>…/b000042-&lt;content id&gt;.heads</c>: the heads file (<see cref="SegmentHeads"/>) of the segment at
    /// <paramref name="segmentPath"/>, beside it, so that the two share a name and are collected together.
    /// </summary>
    public static string HeadsPathOf(string segmentPath) =>
        (segmentPath.EndsWith(JsonSuffix, StringComparison.Ordinal) ? segmentPath[..^JsonSuffix.Length] : segmentPath) + HeadsSuffix;

    /// <summary>True for a path made by <see cref="HeadsPathOf"/>.</summary>
    public static bool IsHeadsPath(string path) => path.EndsWith(HeadsSuffix, StringComparison.Ordinal);

    /// <summary>True for a path made by <see cref="CheckpointPath"/>.</summary>
    public static bool IsCheckpointPath(string incarnation, string path) =>
        path.StartsWith(CheckpointIndexPrefix(incarnation), StringComparison.Ordinal) && path.EndsWith(JsonSuffix, StringComparison.Ordinal);

    /// <summary><c>_journal/&lt;incarnation&gt;</c>.</summary>
    public static string JournalFolderOf(string incarnation) => $"{JournalFolder}/{incarnation}";

    /// <summary>The journal bucket of a moment: its UTC minute, <c>yyyyMMddHHmm</c>.</summary>
    public static string JournalBucket(DateTimeOffset time) => time.UtcDateTime.ToString(BucketFormat, CultureInfo.InvariantCulture);

    /// <summary>
    /// <c>_journal/&lt;incarnation&gt;/&lt;bucket&gt;.log</c>: the append-only log of the entries filed in one minute; part 1,
    /// 2, … (<c>&lt;bucket&gt;.1.log</c>, …) takes a minute's further entries once the part before it is full (an append
    /// blob takes 50,000 appends).
    /// </summary>
    public static string JournalLogPath(string incarnation, string bucket, int part = 0) =>
        part == 0 ? $"{JournalFolderOf(incarnation)}/{bucket}{LogSuffix}"
                  : $"{JournalFolderOf(incarnation)}/{bucket}.{part.ToString(CultureInfo.InvariantCulture)}{LogSuffix}";

    /// <summary>
    /// Parses a path made by <see cref="JournalLogPath"/>: <paramref name="bucket"/> is its minute and
    /// <paramref name="log"/> its name without <c>.log</c>, which tells the parts of one minute apart.
    /// </summary>
    public static bool TryParseJournalLogPath(string incarnation, string path, out string bucket, out string log)
    {
        bucket = log = "";
        var folder = JournalFolderOf(incarnation) + "/";
        if (path.Length < folder.Length + BucketFormat.Length + LogSuffix.Length || !path.StartsWith(folder, StringComparison.Ordinal) ||
            !path.EndsWith(LogSuffix, StringComparison.Ordinal)) return false;
        var candidate = path.Substring(folder.Length, BucketFormat.Length);
        if (!DateTime.TryParseExact(candidate, BucketFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out _)) return false;
        var name = path[folder.Length..^LogSuffix.Length];
        if (name.Length > BucketFormat.Length &&
            (name[BucketFormat.Length] != '.' || !int.TryParse(name.AsSpan(BucketFormat.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var part) ||
             part < 1 || JournalLogPath(incarnation, candidate, part) != path)) return false;
        bucket = candidate;
        log = name;
        return true;
    }

    /// <summary>
    /// One entry of a minute's log: the commit object's name under <c>_commits/&lt;incarnation&gt;/</c> without
    /// <c>.json</c>, between two newlines. The leading one ends any record left partly written before it (a writer
    /// killed mid-append on disk), so that record is one unreadable line and this one still parses.
    /// </summary>
    public static byte[] JournalRecord(string kind, int index, int version) =>
        Encoding.UTF8.GetBytes($"\n{kind}/{ShardNames.PartName(index)}{VersionMarker}{version.ToString("D6", CultureInfo.InvariantCulture)}\n");

    /// <summary>Parses one line of a minute's log (<see cref="JournalRecord"/> without its newlines) into the commit object path it names.</summary>
    public static bool TryParseJournalRecord(string incarnation, string line, out string commitPath)
    {
        commitPath = $"{CommitsFolderOf(incarnation)}/{line}{JsonSuffix}";
        if (line.Length > 0 && TryParseCommitPath(incarnation, commitPath, out _, out _, out _)) return true;
        commitPath = "";
        return false;
    }

    /// <summary>
    /// <c>_journal/&lt;incarnation&gt;.trimmed-before</c>: the UTC time before which the journal has been trimmed (beside
    /// the incarnation's folder, so listings of its groups never see it).
    /// </summary>
    public static string JournalTrimMarkPath(string incarnation) => $"{JournalFolderOf(incarnation)}.trimmed-before";

    /// <summary>
    /// <c>_journal/&lt;incarnation&gt;.swept</c>: when a reader last claimed the dataset's sweep (a listing of every commit
    /// object name that files the journal entries found missing), so that one reader per dataset lists everything
    /// every few minutes instead of every reader.
    /// </summary>
    public static string JournalSweepMarkPath(string incarnation) => $"{JournalFolderOf(incarnation)}.swept";

    /// <summary>
    /// <c>_journal/&lt;incarnation&gt;.sweep-step</c>: when a reader last claimed a step of the dataset's sweep by slices
    /// (<see cref="SweepSlices"/>), and the slice it listed, so that the next step lists the next one.
    /// </summary>
    public static string JournalSweepStepPath(string incarnation) => $"{JournalFolderOf(incarnation)}.sweep-step";

    /// <summary>The bucket (<c>yyyyMMddHHmm</c>) of a minute's log or of an older build's entry under <c>_journal/&lt;incarnation&gt;/</c>, or null.</summary>
    public static string? JournalBucketOf(string incarnation, string path)
    {
        if (TryParseJournalLogPath(incarnation, path, out var bucket, out _)) return bucket;
        var folder = JournalFolderOf(incarnation) + "/";
        return path.StartsWith(folder, StringComparison.Ordinal) && path.Length > folder.Length + BucketFormat.Length &&
               path[folder.Length + BucketFormat.Length] == '/' ? path.Substring(folder.Length, BucketFormat.Length) : null;
    }

    /// <summary>
    /// An older build's journal entry of a commit object: an empty object named like the commit object, under its minute's
    /// folder. This build appends to the minute's log instead (<see cref="JournalLogPath"/>) and reads these when an
    /// older writer still files them.
    /// </summary>
    public static string JournalPath(string incarnation, string bucket, string kind, int index, int version)
    {
        var commit = CommitPath(incarnation, kind, index, version);
        return $"{JournalFolderOf(incarnation)}/{bucket}/{commit[(CommitsFolderOf(incarnation).Length + 1)..^JsonSuffix.Length]}";
    }

    /// <summary>Parses a path made by <see cref="JournalPath"/>; the commit object it names is <paramref name="commitPath"/>.</summary>
    public static bool TryParseJournalPath(string incarnation, string path, out string commitPath)
    {
        commitPath = "";
        var folder = JournalFolderOf(incarnation) + "/";
        if (!path.StartsWith(folder, StringComparison.Ordinal) || path.Length < folder.Length + BucketFormat.Length + 2) return false;
        var bucket = path.Substring(folder.Length, BucketFormat.Length);
        if (path[folder.Length + BucketFormat.Length] != '/' ||
            !DateTime.TryParseExact(bucket, BucketFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out _)) return false;
        var candidate = $"{CommitsFolderOf(incarnation)}/{path[(folder.Length + BucketFormat.Length + 1)..]}{JsonSuffix}";
        if (!TryParseCommitPath(incarnation, candidate, out var kind, out var index, out var version) ||
            JournalPath(incarnation, bucket, kind, index, version) != path) return false;
        commitPath = candidate;
        return true;
    }
}
