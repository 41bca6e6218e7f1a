using System.Globalization;
using System.Text;
using SSeg.Shards.Storage;

namespace SSeg.Shards.Commits;

/// <summary>
/// The change index of a dataset's commit log: after a commit object is created, its writer appends one line naming it
/// to the log of the UTC minute of its own clock, <c>_journal/&lt;inc&gt;/&lt;yyyyMMddHHmm&gt;.log</c>. A reader lists the
/// journal (about an hour of minute logs, whatever the dataset's size) and reads each log only from where it stopped the
/// time before (<see cref="JournalCursor"/>), so a poll reads what was committed since the previous one and nothing
/// else; shards are committed in any index order, and commit object names alone cannot say what is new. A new reader
/// reads the logs from the minute its checkpoint records (<see cref="CommitCheckpoint.JournalFrom"/>).
/// </summary>
/// <remarks>
/// The commit object stays the only truth: an entry is appended after its object, so an entry always names an existing
/// object. A missing entry (a writer killed between the two writes or during the append, an append the store refused, a
/// writer of an older build than the journal) only delays when readers see that commit: until the dataset's next sweep (<see cref="SweepEvery"/>),
/// whose reader lists every name and files the entries found missing. Older builds filed an empty object per entry
/// under the minute's folder (<see cref="CommitKeys.JournalPath"/>); those are read too. An append blob takes at most
/// 50,000 appends, so on Blob a minute's log names at most 50,000 commits (833 a second into one dataset, far past what
/// was measured); further appends in that minute fail, and those commits are seen at the next sweep.
/// </remarks>
internal static class CommitJournal
{
    /// <summary>
    /// How far before its checkpoint's read a new reader reads the minute logs: covers a writer whose clock is behind
    /// the checkpoint writer's (up to <see cref="ClockSkew"/>) and a journal append still in flight when that read ran
    /// (its minute is taken before the append; a request retried by the storage client for up to 3 minutes is still
    /// found). A reader that keeps polling needs no look-back: it reads every log that grew, whatever its minute.
    /// </summary>
    public static readonly TimeSpan LookBack = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Clock difference between hosts that the protocol allows for: a checkpoint whose minute is further ahead of a
    /// new reader's clock than this is not trusted, and a sweep mark further ahead is taken as stale.
    /// </summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long minute logs are kept. A polling reader sees every log while it exists, and a new reader reads from its
    /// checkpoint's minute; a reader idle longer than half of this, or a checkpoint older than that, reads the trim mark
    /// after listing and lists every name when the trim has passed its start.
    /// </summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(1);

    /// <summary>
    /// How often the dataset is swept: one reader (whichever claims it first) lists every commit object name and files
    /// the journal entries found missing. It bounds how long a commit without an entry stays unseen by readers that
    /// read the journal; ten minutes keeps that well under a stage's length at one full listing per dataset, not per reader.
    /// </summary>
    public static readonly TimeSpan SweepEvery = TimeSpan.FromMinutes(10);

    /// <summary>Deletes (trims) and log reads in flight at once.</summary>
    private const int ParallelRequests = 16;
    /// <summary>Most bytes of records a repair appends in one request (an Append Block takes up to 4 MiB).</summary>
    private const int RepairAppendBytes = 1 << 20;

    /// <summary>Names per list page on Azure Blob (the service maximum), to report list calls.</summary>
    public const int NamesPerListPage = 5000;

    /// <summary>Appends the entry of a just-created commit object to the log of the writer's current minute.</summary>
    public static Task WriteAsync(Dataset dataset, string incarnation, ShardEntry entry, CancellationToken ct) =>
        dataset.Storage.AppendAsync(dataset.KeyOf(CommitKeys.JournalLogPath(incarnation, CommitKeys.JournalBucket(dataset.Clock.GetUtcNow()))),
            CommitKeys.JournalRecord(entry.Kind, entry.Index, entry.Version), ct);

    /// <summary>
    /// Lists the journal and reads what each minute's log gained past <paramref name="cursor"/>, which it then moves to
    /// the end of the whole records read. Logs of minutes before <paramref name="readFrom"/> are not read: the cursor
    /// takes their current length (a new reader whose checkpoint covers them; <see cref="DateTimeOffset.MaxValue"/> for
    /// a reader about to list every commit object name). Entries filed by older builds are all returned.
    /// </summary>
    public static async Task<JournalRead> ReadAsync(Dataset dataset, string incarnation, JournalCursor cursor, DateTimeOffset? readFrom,
        CancellationToken ct)
    {
        var strip = dataset.Prefix.Length + 1;
        var found = new HashSet<string>(StringComparer.Ordinal);
        var logs = new List<(string Bucket, string Key, long Size)>();
        long names = 0;
        await foreach (var item in dataset.Storage.ListAsync(dataset.KeyOf(CommitKeys.JournalFolderOf(incarnation) + "/"), ct))
        {
            names++;
            var path = item.Key[strip..];
            if (CommitKeys.TryParseJournalLogPath(incarnation, path, out var bucket)) logs.Add((bucket, item.Key, item.Size));
            else if (CommitKeys.TryParseJournalPath(incarnation, path, out var commitPath)) found.Add(commitPath);
        }

        // null: read no log; "": read every log that grew.
        var readFromBucket = readFrom is { } from ? (from == DateTimeOffset.MaxValue ? null : CommitKeys.JournalBucket(from)) : "";
        var offsets = new Dictionary<string, long>(StringComparer.Ordinal);
        var toRead = new List<(string Bucket, string Key, long Offset)>();
        foreach (var (bucket, key, size) in logs)
        {
            var offset = cursor.OffsetOf(bucket);
            if (size < offset) offset = 0;   // deleted and started again (by a writer whose clock is far behind)
            if (readFromBucket is null || string.CompareOrdinal(bucket, readFromBucket) < 0) offsets[bucket] = size;
            else if (size == offset) offsets[bucket] = offset;
            else toRead.Add((bucket, key, offset));
        }

        long bytesRead = 0;
        var lines = new List<string>[toRead.Count];
        var ends = new long?[toRead.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, toRead.Count), new ParallelOptions { MaxDegreeOfParallelism = ParallelRequests, CancellationToken = ct },
            async (i, token) =>
            {
                var bytes = await dataset.Storage.ReadFromAsync(toRead[i].Key, toRead[i].Offset, token);
                if (bytes is null) return;   // trimmed since the listing
                Interlocked.Add(ref bytesRead, bytes.Length);
                // Only whole records: a record still being appended (on disk) is read from its start the next time.
                var whole = Array.LastIndexOf(bytes, (byte)'\n') + 1;
                lines[i] = Encoding.UTF8.GetString(bytes, 0, whole).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
                ends[i] = toRead[i].Offset + whole;
            });
        for (var i = 0; i < toRead.Count; i++)
        {
            if (ends[i] is not { } end) continue;
            offsets[toRead[i].Bucket] = end;
            foreach (var line in lines[i])
                if (CommitKeys.TryParseJournalRecord(incarnation, line, out var commitPath)) found.Add(commitPath);
        }
        cursor.Replace(offsets);
        return new JournalRead(found.ToList(), names, (int)Math.Max(1, (names + NamesPerListPage - 1) / NamesPerListPage), toRead.Count, bytesRead);
    }

    /// <summary>The time before which the journal has been trimmed (logs of earlier minutes may be gone), or null.</summary>
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
    /// Files entries again, in the current minute's log, for commit objects a sweep found that the journal had not named
    /// (their writer died between the object and its entry, its append was refused, or it was an older build), so every other
    /// reader's next poll finds them. Best effort; returns the entries filed.
    /// </summary>
    public static async Task<int> RepairAsync(Dataset dataset, string incarnation, IReadOnlyList<ShardEntry> entries, CancellationToken ct)
    {
        var key = dataset.KeyOf(CommitKeys.JournalLogPath(incarnation, CommitKeys.JournalBucket(dataset.Clock.GetUtcNow())));
        var filed = 0;
        for (var start = 0; start < entries.Count;)
        {
            using var records = new MemoryStream();
            var count = 0;
            while (start + count < entries.Count && records.Length < RepairAppendBytes)
            {
                var entry = entries[start + count++];
                records.Write(CommitKeys.JournalRecord(entry.Kind, entry.Index, entry.Version));
            }
            try
            {
                await dataset.Storage.AppendAsync(key, records.ToArray(), ct);
                filed += count;
            }
            catch (Exception e) when (e is not OperationCanceledException) { }
            start += count;
        }
        return filed;
    }

    /// <summary>
    /// Deletes the minute logs (and older builds' entries) older than <see cref="Retention"/>, having first recorded how
    /// far it goes, so the journal holds about an hour of commits whatever the dataset's age. Run by checkpoint writers;
    /// several at once only repeat deletions. Returns the objects deleted.
    /// </summary>
    public static async Task<int> TrimAsync(Dataset dataset, string incarnation, CancellationToken ct)
    {
        var horizon = dataset.Clock.GetUtcNow() - Retention;
        var cutoff = new DateTimeOffset(horizon.UtcTicks - horizon.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        var mark = await ReadTrimMarkAsync(dataset, incarnation, ct);
        if (mark >= cutoff) return 0;
        // The mark goes first: a new reader that reads the journal from its checkpoint's minute reads the mark after
        // its listing, and a mark past that minute tells it that entries it needed may be gone.
        await dataset.Storage.WriteAsync(dataset.KeyOf(CommitKeys.JournalTrimMarkPath(incarnation)), FormatTime(cutoff), ct);

        var cutoffBucket = CommitKeys.JournalBucket(cutoff);
        var strip = dataset.Prefix.Length + 1;
        var doomed = new List<string>();
        await foreach (var item in dataset.Storage.ListAsync(dataset.KeyOf(CommitKeys.JournalFolderOf(incarnation) + "/"), ct))
            if (CommitKeys.JournalBucketOf(incarnation, item.Key[strip..]) is { } bucket && string.CompareOrdinal(bucket, cutoffBucket) < 0)
                doomed.Add(item.Key);
        await Parallel.ForEachAsync(doomed, new ParallelOptions { MaxDegreeOfParallelism = ParallelRequests, CancellationToken = ct },
            async (key, token) => await dataset.Storage.DeleteAsync(key, token));
        return doomed.Count;
    }

    private static byte[] FormatTime(DateTimeOffset time) => Encoding.UTF8.GetBytes(time.ToString("O", CultureInfo.InvariantCulture));

    private static DateTimeOffset? ParseTime(VersionedContent? content) =>
        content is not null && DateTimeOffset.TryParse(Encoding.UTF8.GetString(content.Content), CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;
}

/// <summary>What one <see cref="CommitJournal.ReadAsync"/> found and cost.</summary>
internal sealed record JournalRead(List<string> CommitPaths, long NamesListed, int ListCalls, int LogsRead, long BytesRead);

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
