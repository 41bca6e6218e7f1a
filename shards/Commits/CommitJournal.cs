using System.Globalization;
using System.Text;

namespace SSeg.Shards.Commits;

/// <summary>
/// The change index of a dataset's commit log: after a commit object is created, its writer files an empty entry
/// <c>_journal/&lt;inc&gt;/&lt;yyyyMMddHHmm&gt;/&lt;kind&gt;/part-00042.v000001</c> under the UTC minute of its own clock. A reader
/// that has read the whole log once then lists only the journal around its previous poll instead of every commit
/// object name, because shards are committed in any index order and names alone cannot say what is new.
/// </summary>
/// <remarks>
/// The commit object stays the only truth: an entry is written after its object, so an entry always names an
/// existing object, and a missing entry (a writer killed between the two writes, or a writer of an older build)
/// only delays when a long-lived reader sees that commit, until its next full listing
/// (<see cref="CommitLogReader.FullListingEvery"/>); a new reader lists everything and sees it at once.
/// </remarks>
internal static class CommitJournal
{
    /// <summary>
    /// Entries are filed in one folder per minute and listed in groups of ten minutes (one prefix listing each): a
    /// poll's window (5 minutes back, 2 ahead) touches one or two groups, so it costs one or two list requests, and
    /// it lists at most 20 minutes of entries: names in proportion to the recent commit rate, never to the dataset.
    /// </summary>
    public static readonly TimeSpan ListingGroup = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How far before its previous poll a reader lists: covers a writer whose clock is behind the reader's (up to
    /// <see cref="ClockSkew"/>) and a journal write still in flight when that poll ran (its time is taken before the
    /// write; a put retried by the storage client for up to 3 minutes is still found).
    /// </summary>
    public static readonly TimeSpan LookBack = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Clock difference between hosts that costs no delay: a writer ahead of the reader by up to this files
    /// entries in minutes the reader already lists. A writer further ahead is seen once the reader's clock nears
    /// its minute, and one further behind than <see cref="LookBack"/> allows, at the reader's next full listing.
    /// </summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long entries are kept. A poll that lists the journal reads back at most <see cref="LookBack"/> before its
    /// previous poll, and a reader lists everything every <see cref="CommitLogReader.FullListingEvery"/>, so no poll
    /// reads entries older than 15 minutes by its own clock; the rest of the hour is room for a reader whose clock is
    /// behind (one further behind finds those commits at its next full listing, as with a missing entry).
    /// </summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(1);

    /// <summary>Past this many ten-minute groups since the last trim (a day), one listing of the whole journal is cheaper than a listing per group.</summary>
    private const int MaxGroupListingsPerTrim = 144;
    private const int ParallelDeletes = 16;

    /// <summary>Names per list page on Azure Blob (the service maximum), to report list calls.</summary>
    public const int NamesPerListPage = 5000;

    /// <summary>Files the entry of a just-created commit object under the writer's current minute (idempotent).</summary>
    public static Task WriteAsync(Dataset dataset, string incarnation, ShardEntry entry, CancellationToken ct) =>
        dataset.Storage.WriteAsync(dataset.KeyOf(CommitKeys.JournalPath(incarnation, CommitKeys.JournalBucket(dataset.Clock.GetUtcNow()),
            entry.Kind, entry.Index, entry.Version)), ReadOnlyMemory<byte>.Empty, ct);

    /// <summary>
    /// The commit object paths filed from <paramref name="from"/> to <paramref name="to"/> (each once; entries of the
    /// same ten-minute groups outside that span too), the names listed and the list requests made (an empty group
    /// still costs one).
    /// </summary>
    public static async Task<(List<string> CommitPaths, long NamesListed, int ListCalls)> ListAsync(
        Dataset dataset, string incarnation, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var strip = dataset.Prefix.Length + 1;
        var found = new HashSet<string>(StringComparer.Ordinal);
        long names = 0;
        var calls = 0;
        foreach (var prefix in GroupPrefixes(incarnation, from, to))
        {
            long inGroup = 0;
            await foreach (var item in dataset.Storage.ListAsync(dataset.KeyOf(prefix), ct))
            {
                inGroup++;
                if (CommitKeys.TryParseJournalPath(incarnation, item.Key[strip..], out var commitPath)) found.Add(commitPath);
            }
            names += inGroup;
            calls += (int)Math.Max(1, (inGroup + NamesPerListPage - 1) / NamesPerListPage);
        }
        return (found.ToList(), names, calls);
    }

    /// <summary>
    /// Deletes the entries of the ten-minute groups older than <see cref="Retention"/> and records how far it got, so
    /// the journal holds about an hour of commits whatever the dataset's age. Run by checkpoint writers; several at
    /// once only repeat deletions. Returns the entries deleted.
    /// </summary>
    public static async Task<int> TrimAsync(Dataset dataset, string incarnation, CancellationToken ct)
    {
        var cutoff = GroupStart(dataset.Clock.GetUtcNow() - Retention);
        var markKey = dataset.KeyOf(CommitKeys.JournalTrimMarkPath(incarnation));
        var mark = await dataset.Storage.ReadVersionedAsync(markKey, ct) is { } content &&
                   DateTimeOffset.TryParse(Encoding.UTF8.GetString(content.Content), CultureInfo.InvariantCulture,
                       DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : (DateTimeOffset?)null;
        if (mark >= cutoff) return 0;

        var cutoffBucket = CommitKeys.JournalBucket(cutoff);
        var strip = dataset.Prefix.Length + 1;
        var doomed = new List<string>();
        // Without a mark (never trimmed) or after a long pause, one listing of everything; otherwise the groups since the mark.
        var prefixes = mark is { } from && (cutoff - from).Ticks / ListingGroup.Ticks <= MaxGroupListingsPerTrim
            ? GroupPrefixes(incarnation, from, cutoff - TimeSpan.FromTicks(1))
            : [CommitKeys.JournalFolderOf(incarnation) + "/"];
        foreach (var prefix in prefixes)
            await foreach (var item in dataset.Storage.ListAsync(dataset.KeyOf(prefix), ct))
                if (CommitKeys.JournalBucketOf(incarnation, item.Key[strip..]) is { } bucket &&
                    string.CompareOrdinal(bucket, cutoffBucket) < 0) doomed.Add(item.Key);
        await Parallel.ForEachAsync(doomed, new ParallelOptions { MaxDegreeOfParallelism = ParallelDeletes, CancellationToken = ct },
            async (key, token) => await dataset.Storage.DeleteAsync(key, token));
        await dataset.Storage.WriteAsync(markKey, Encoding.UTF8.GetBytes(cutoff.ToString("O", CultureInfo.InvariantCulture)), ct);
        return doomed.Count;
    }

    /// <summary>The start of the ten-minute group <paramref name="time"/> falls in.</summary>
    private static DateTimeOffset GroupStart(DateTimeOffset time) =>
        new(time.UtcTicks - time.UtcTicks % ListingGroup.Ticks, TimeSpan.Zero);

    /// <summary>The ten-minute group prefixes that cover <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static List<string> GroupPrefixes(string incarnation, DateTimeOffset from, DateTimeOffset to)
    {
        var prefixes = new List<string>();
        for (var group = GroupStart(from); group <= to; group += ListingGroup) prefixes.Add(CommitKeys.JournalGroupPrefix(incarnation, group));
        return prefixes;
    }
}
