using System.Globalization;
using System.Text;
using SSeg.Shards.Storage;

namespace SSeg.Shards.Commits;

/// <summary>
/// The change index of a dataset's commit log: after a commit object is created, its writer files an empty entry
/// <c>_journal/&lt;inc&gt;/&lt;yyyyMMddHHmm&gt;/&lt;kind&gt;/part-00042.v000001</c> under the UTC minute of its own clock. A reader
/// lists only the journal around its previous poll instead of every commit object name, because shards are
/// committed in any index order and names alone cannot say what is new; a new reader lists it from the minute its
/// checkpoint records (<see cref="CommitCheckpoint.JournalFrom"/>).
/// </summary>
/// <remarks>
/// The commit object stays the only truth: an entry is written after its object, so an entry always names an
/// existing object. A missing entry (a writer killed between the two writes, a writer of an older build, a clock
/// further off than the allowances) only delays when readers see that commit: until the dataset's next sweep
/// (<see cref="SweepEvery"/>), whose reader lists every name and files the entries found missing.
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
    /// How long entries are kept. A poll lists from <see cref="LookBack"/> before its previous poll, and a new reader
    /// from its checkpoint's minute; a reader polling every few minutes and a checkpoint written in the last half hour
    /// never meet a trimmed group, even with clocks apart by <see cref="ClockSkew"/>. A reader whose span starts
    /// earlier reads the trim mark after listing and lists every name when the trim has passed its start.
    /// </summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(1);

    /// <summary>
    /// How often the dataset is swept: one reader (whichever claims it first) lists every commit object name and files
    /// the journal entries found missing. It bounds how long a commit without an entry stays unseen by readers that
    /// poll the journal; ten minutes keeps that well under a stage's length at one full listing per dataset, not per reader.
    /// </summary>
    public static readonly TimeSpan SweepEvery = TimeSpan.FromMinutes(10);

    /// <summary>Past this many ten-minute groups since the last trim (a day), one listing of the whole journal is cheaper than a listing per group.</summary>
    private const int MaxGroupListingsPerTrim = 144;
    /// <summary>Past this many ten-minute groups in a read's span, one listing of the whole journal (about an hour of entries) is cheaper.</summary>
    private const int MaxGroupListings = 6;
    /// <summary>Deletes (trims) and writes (repairs) in flight at once.</summary>
    private const int ParallelRequests = 16;

    /// <summary>Names per list page on Azure Blob (the service maximum), to report list calls.</summary>
    public const int NamesPerListPage = 5000;

    /// <summary>Files the entry of a just-created commit object under the writer's current minute (idempotent).</summary>
    public static Task WriteAsync(Dataset dataset, string incarnation, ShardEntry entry, CancellationToken ct) =>
        dataset.Storage.WriteAsync(dataset.KeyOf(CommitKeys.JournalPath(incarnation, CommitKeys.JournalBucket(dataset.Clock.GetUtcNow()),
            entry.Kind, entry.Index, entry.Version)), ReadOnlyMemory<byte>.Empty, ct);

    /// <summary>
    /// The commit object paths filed from <paramref name="from"/> to <paramref name="to"/> (each once; entries of the
    /// same ten-minute groups outside that span too), the names listed and the list requests made (an empty group
    /// still costs one). A span of more than <see cref="MaxGroupListings"/> groups (a new reader starting from an old
    /// checkpoint) is one listing of the whole journal instead, which holds about an hour of commits.
    /// </summary>
    public static async Task<(List<string> CommitPaths, long NamesListed, int ListCalls)> ListAsync(
        Dataset dataset, string incarnation, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var strip = dataset.Prefix.Length + 1;
        var found = new HashSet<string>(StringComparer.Ordinal);
        long names = 0;
        var calls = 0;
        var prefixes = GroupPrefixes(incarnation, from, to);
        var whole = prefixes.Count > MaxGroupListings;
        var firstBucket = CommitKeys.JournalBucket(GroupStart(from));
        IEnumerable<string> listed = whole ? [CommitKeys.JournalFolderOf(incarnation) + "/"] : prefixes;
        foreach (var prefix in listed)
        {
            long inPrefix = 0;
            await foreach (var item in dataset.Storage.ListAsync(dataset.KeyOf(prefix), ct))
            {
                inPrefix++;
                var path = item.Key[strip..];
                if (whole && string.CompareOrdinal(CommitKeys.JournalBucketOf(incarnation, path), firstBucket) < 0) continue;
                if (CommitKeys.TryParseJournalPath(incarnation, path, out var commitPath)) found.Add(commitPath);
            }
            names += inPrefix;
            calls += (int)Math.Max(1, (inPrefix + NamesPerListPage - 1) / NamesPerListPage);
        }
        return (found.ToList(), names, calls);
    }

    /// <summary>The time before which the journal has been trimmed (entries of earlier groups may be gone), or null.</summary>
    public static async Task<DateTimeOffset?> ReadTrimMarkAsync(Dataset dataset, string incarnation, CancellationToken ct) =>
        ParseTime(await dataset.Storage.ReadVersionedAsync(dataset.KeyOf(CommitKeys.JournalTrimMarkPath(incarnation)), ct));

    /// <summary>
    /// Claims the dataset's sweep when the last one (by <see cref="CommitKeys.JournalSweepMarkPath"/>) is
    /// <see cref="SweepEvery"/> old or more, or stamped further ahead than <see cref="ClockSkew"/> (a host whose clock
    /// was wrong): compare-and-swap, so of several readers due at once exactly one sweeps.
    /// <see cref="SweepClaim.Unwritable"/> when the mark cannot be read or written (a read-only root).
    /// </summary>
    public static async Task<SweepClaim> TryClaimSweepAsync(Dataset dataset, string incarnation, DateTimeOffset now, CancellationToken ct)
    {
        var key = dataset.KeyOf(CommitKeys.JournalSweepMarkPath(incarnation));
        try
        {
            var current = await dataset.Storage.ReadVersionedAsync(key, ct);
            if (ParseTime(current) is { } last && last > now - SweepEvery && last <= now + ClockSkew) return SweepClaim.NotDue;
            return await dataset.Storage.TryWriteIfVersionAsync(key, FormatTime(now), current?.Version, ct) is null ? SweepClaim.NotDue : SweepClaim.Claimed;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return SweepClaim.Unwritable;
        }
    }

    /// <summary>
    /// Files entries again, under the current minute, for commit objects a sweep found that the journal had not named
    /// (their writer died between the object and its entry, was an older build, or had a clock far off), so every
    /// other reader's next poll finds them. Best effort; returns the entries filed.
    /// </summary>
    public static async Task<int> RepairAsync(Dataset dataset, string incarnation, IReadOnlyList<ShardEntry> entries, CancellationToken ct)
    {
        var filed = 0;
        await Parallel.ForEachAsync(entries, new ParallelOptions { MaxDegreeOfParallelism = ParallelRequests, CancellationToken = ct },
            async (entry, token) =>
            {
                try
                {
                    await WriteAsync(dataset, incarnation, entry, token);
                    Interlocked.Increment(ref filed);
                }
                catch (Exception e) when (e is not OperationCanceledException) { }
            });
        return filed;
    }

    /// <summary>
    /// Deletes the entries of the ten-minute groups older than <see cref="Retention"/>, having first recorded how far
    /// it goes, so the journal holds about an hour of commits whatever the dataset's age. Run by checkpoint writers; several at
    /// once only repeat deletions. Returns the entries deleted.
    /// </summary>
    public static async Task<int> TrimAsync(Dataset dataset, string incarnation, CancellationToken ct)
    {
        var cutoff = GroupStart(dataset.Clock.GetUtcNow() - Retention);
        var mark = await ReadTrimMarkAsync(dataset, incarnation, ct);
        if (mark >= cutoff) return 0;
        // The mark goes first: a new reader that lists the journal from its checkpoint's minute reads the mark after
        // its listing, and a mark past that minute tells it that entries it needed may be gone. (A trim that fails
        // part-way leaves older entries that no later trim lists: debris that names existing commit objects.)
        await dataset.Storage.WriteAsync(dataset.KeyOf(CommitKeys.JournalTrimMarkPath(incarnation)), FormatTime(cutoff), ct);

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
        await Parallel.ForEachAsync(doomed, new ParallelOptions { MaxDegreeOfParallelism = ParallelRequests, CancellationToken = ct },
            async (key, token) => await dataset.Storage.DeleteAsync(key, token));
        return doomed.Count;
    }

    private static byte[] FormatTime(DateTimeOffset time) => Encoding.UTF8.GetBytes(time.ToString("O", CultureInfo.InvariantCulture));

    private static DateTimeOffset? ParseTime(VersionedContent? content) =>
        content is not null && DateTimeOffset.TryParse(Encoding.UTF8.GetString(content.Content), CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;

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

/// <summary>The outcome of <see cref="CommitJournal.TryClaimSweepAsync"/>.</summary>
internal enum SweepClaim
{
    /// <summary>Swept less than <see cref="CommitJournal.SweepEvery"/> ago, or another reader claimed it first.</summary>
    NotDue,
    /// <summary>This reader sweeps now.</summary>
    Claimed,
    /// <summary>The mark could not be read or written (a read-only root): the reader sweeps for itself, filing nothing.</summary>
    Unwritable,
}
