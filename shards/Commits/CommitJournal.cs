using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using SSeg.Shards.Storage;

namespace SSeg.Shards.Commits;

/// <summary>
/// The change index of a dataset's commit log: before a commit object is created, its writer appends one line naming it
/// to the log of the UTC minute of its own clock, <c>_journal/&lt;inc&gt;/&lt;yyyyMMddHHmm&gt;.log</c>. A reader lists the
/// journal (about an hour of minute logs, whatever the dataset's size) and reads each log only from where it stopped the
/// time before (<see cref="JournalCursor"/>), so a poll reads what was committed since the previous one and nothing
/// else; shards are committed in any index order, and commit object names alone cannot say what is new. A new reader
/// reads the logs from the minute its checkpoint records (<see cref="CommitCheckpoint.JournalFrom"/>).
/// </summary>
/// <remarks>
/// The commit object stays the only truth, and the line comes first, so a commit object is never without its line: a
/// writer whose append fails publishes nothing (<see cref="CommitLog.TryCreateAsync"/>). A line can name an object
/// not created yet (its writer is between the two, or died there): a reader waits for it, probing it at each read, for
/// <see cref="AwaitFor"/>; a writer that took <see cref="RefileAfter"/> or more from line to object files the line
/// again, so a reader that stopped waiting still finds the commit. The dataset's sweep (<see cref="SweepEvery"/>), whose
/// reader lists every name and files the lines found missing, is left for what this protocol cannot see: writers of
/// builds older than the journal, and lines lost where appends are not atomic (NFS). An append blob takes at most
/// 50,000 appends, so a minute's lines past that go to its next part (<see cref="CommitKeys.JournalLogPath"/>). On a
/// root that takes no appends at all, and by older builds, each line is filed as an empty object under the minute's
/// folder (<see cref="CommitKeys.JournalPath"/>): read the same way, at the cost of listing the last hour's entries each poll.
/// </remarks>
internal static class CommitJournal
{
    /// <summary>
    /// Longest time from a writer taking its line's minute to its commit object existing, past which it files the line
    /// again (<see cref="CommitLog.TryCreateAsync"/>): well under <see cref="AwaitFor"/>, and with <see cref="ClockSkew"/>
    /// within <see cref="LookBack"/>.
    /// </summary>
    public static readonly TimeSpan RefileAfter = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long a reader keeps probing for the commit object of a line it read before the object existed. Its writer
    /// files the line again when the object came <see cref="RefileAfter"/> or more after it, so a line still without its
    /// object after this long is one whose writer died between the two.
    /// </summary>
    public static readonly TimeSpan AwaitFor = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How far before its checkpoint's read a new reader reads the minute logs. A commit the checkpoint does not cover
    /// was published after that read; its line's minute was taken at most <see cref="RefileAfter"/> before that (or the
    /// line was filed again after it) by a clock at most <see cref="ClockSkew"/> behind. A reader that keeps polling
    /// needs no look-back: it reads every log that grew, whatever its minute.
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
    /// the lines found missing. This build's writers leave no commit without a line, so the sweep is there for older
    /// builds' writers and for lines lost by a store whose appends are not atomic: hourly bounds how late those are
    /// seen, at one full listing per dataset an hour, not per reader or poll. A dataset of more than
    /// <see cref="SweepSlices.WholeUpTo"/> commit objects is swept by slices instead, a pass of them spread over this
    /// period (steps at least <see cref="SweepStepAtLeast"/> apart), so that no read lists more than one slice.
    /// </summary>
    public static readonly TimeSpan SweepEvery = TimeSpan.FromHours(1);

    /// <summary>Shortest time between two steps of a sweep by slices: a dataset of more than 240 slices takes longer than <see cref="SweepEvery"/> a pass.</summary>
    public static readonly TimeSpan SweepStepAtLeast = TimeSpan.FromSeconds(15);

    /// <summary>Deletes (trims) and log reads in flight at once.</summary>
    private const int ParallelRequests = 16;
    /// <summary>Most entries a repair appends in one request: about 1 MiB of records (an Append Block takes up to 4 MiB).</summary>
    private const int RepairAppendEntries = 25_000;

    /// <summary>Names per list page on Azure Blob (the service maximum), to report list calls.</summary>
    public const int NamesPerListPage = 5000;

    /// <summary>Parts one minute's log may have (<see cref="CommitKeys.JournalLogPath"/>): 5 million commits in that minute.</summary>
    private const int MaxPartsPerMinute = 100;

    /// <summary>Roots (<see cref="IStorage.RootUri"/>) found to take no appends: their entries are filed as one object each.</summary>
    private static readonly ConcurrentDictionary<string, bool> RootsWithoutAppends = new(StringComparer.Ordinal);

    /// <summary>
    /// The part of a minute's log (by root and key of its first part) that this process's appends have reached, where
    /// past the first, so that each further append goes straight there.
    /// </summary>
    private static readonly ConcurrentDictionary<string, int> PartsReached = new(StringComparer.Ordinal);

    /// <summary>Files the entry of a commit object about to be created (or just created) in the log of the writer's current minute.</summary>
    public static Task WriteAsync(Dataset dataset, string incarnation, ShardEntry entry, CancellationToken ct) =>
        FileAsync(dataset, incarnation, CommitKeys.JournalBucket(dataset.Clock.GetUtcNow()), [entry], ct);

    /// <summary>
    /// Files <paramref name="entries"/> under <paramref name="bucket"/>: one append to the first part of the minute's log
    /// with room, or, on a root that takes no appends, one empty object per entry.
    /// </summary>
    private static async Task FileAsync(Dataset dataset, string incarnation, string bucket, IReadOnlyList<ShardEntry> entries, CancellationToken ct)
    {
        var root = dataset.Storage.RootUri;
        if (!RootsWithoutAppends.ContainsKey(root))
        {
            using var records = new MemoryStream();
            foreach (var entry in entries) records.Write(CommitKeys.JournalRecord(entry.Kind, entry.Index, entry.Version));
            try
            {
                await AppendAsync(dataset, incarnation, bucket, records.ToArray(), ct);
                return;
            }
            catch (NotSupportedException e)
            {
                RootsWithoutAppends[root] = true;
                JournalWarnings.Once(dataset, JournalWarnings.NoAppends,
                    $"{e.Message.Split('\n')[0]} The journal of {root}/{dataset.Prefix} is therefore filed as one empty object per commit " +
                    "(as builds before the minute logs did): readers still see each commit at their next poll, but every poll lists " +
                    $"the entries of the last {Retention.TotalMinutes:F0} minutes instead of reading only what was appended.");
            }
        }
        await Parallel.ForEachAsync(entries, new ParallelOptions { MaxDegreeOfParallelism = ParallelRequests, CancellationToken = ct },
            async (entry, token) => await dataset.Storage.WriteAsync(
                dataset.KeyOf(CommitKeys.JournalPath(incarnation, bucket, entry.Kind, entry.Index, entry.Version)), ReadOnlyMemory<byte>.Empty, token));
    }

    /// <summary>Appends <paramref name="records"/> to the minute's log, moving on to its next part when one is full.</summary>
    private static async Task AppendAsync(Dataset dataset, string incarnation, string bucket, byte[] records, CancellationToken ct)
    {
        var reached = $"{dataset.Storage.RootUri}/{dataset.KeyOf(CommitKeys.JournalLogPath(incarnation, bucket))}";
        var part = PartsReached.GetValueOrDefault(reached);
        while (true)
        {
            try
            {
                await dataset.Storage.AppendAsync(dataset.KeyOf(CommitKeys.JournalLogPath(incarnation, bucket, part)), records, ct);
                return;
            }
            catch (AppendLimitReachedException) when (part + 1 < MaxPartsPerMinute)
            {
                part++;
                PartsReached.AddOrUpdate(reached, part, (_, known) => Math.Max(known, part));
            }
        }
    }

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
        var logs = new List<(string Bucket, string Log, string Key, long Size)>();
        long names = 0;
        await foreach (var item in dataset.Storage.ListAsync(dataset.KeyOf(CommitKeys.JournalFolderOf(incarnation) + "/"), ct))
        {
            names++;
            var path = item.Key[strip..];
            if (CommitKeys.TryParseJournalLogPath(incarnation, path, out var bucket, out var log)) logs.Add((bucket, log, item.Key, item.Size));
            else if (CommitKeys.TryParseJournalPath(incarnation, path, out var commitPath)) found.Add(commitPath);
        }

        // null: read no log; "": read every log that grew.
        var readFromBucket = readFrom is { } from ? (from == DateTimeOffset.MaxValue ? null : CommitKeys.JournalBucket(from)) : "";
        var offsets = new Dictionary<string, long>(StringComparer.Ordinal);
        var toRead = new List<(string Log, string Key, long Offset)>();
        foreach (var (bucket, log, key, size) in logs)
        {
            var offset = cursor.OffsetOf(log);
            if (size < offset) offset = 0;   // deleted and started again (by a writer whose clock is far behind)
            if (readFromBucket is null || string.CompareOrdinal(bucket, readFromBucket) < 0) offsets[log] = size;
            else if (size == offset) offsets[log] = offset;
            else toRead.Add((log, key, offset));
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
            offsets[toRead[i].Log] = end;
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
    /// Claims the next step of the dataset's sweep by slices when the last one (by
    /// <see cref="CommitKeys.JournalSweepStepPath"/>, which holds its time and slice) is <paramref name="every"/> old or
    /// more, or stamped further ahead than <see cref="ClockSkew"/>: compare-and-swap, so of several readers due at once
    /// exactly one takes the step. The slice to list is <paramref name="next"/> of the last one, asked only when due.
    /// <see cref="SweepClaim.Unwritable"/> when the step cannot be read or written (a read-only root).
    /// </summary>
    public static async Task<(SweepClaim Claim, string Slice)> TryClaimSweepStepAsync(Dataset dataset, string incarnation, DateTimeOffset now,
        TimeSpan every, Func<string?, Task<string>> next, CancellationToken ct)
    {
        var key = dataset.KeyOf(CommitKeys.JournalSweepStepPath(incarnation));
        VersionedContent? current;
        try
        {
            current = await dataset.Storage.ReadVersionedAsync(key, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return (SweepClaim.Unwritable, "");
        }
        var lines = current is null ? [] : Encoding.UTF8.GetString(current.Content).Split('\n', 2);
        var last = lines.Length > 0 ? ParseTime(lines[0]) : null;
        if (last is { } at && at > now - every && at <= now + ClockSkew) return (SweepClaim.NotDue, "");
        var slice = await next(lines.Length > 1 ? lines[1] : null);
        try
        {
            var claimed = await dataset.Storage.TryWriteIfVersionAsync(key, Encoding.UTF8.GetBytes($"{FormatTimeText(now)}\n{slice}"), current?.Version, ct);
            return (claimed is null ? SweepClaim.NotDue : SweepClaim.Claimed, slice);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return (SweepClaim.Unwritable, "");
        }
    }

    /// <summary>
    /// Files entries again, in the current minute's log, for commit objects a sweep found that the journal had not named
    /// (their writer died between the object and its entry, its append was refused, or it was an older build), so every other
    /// reader's next poll finds them. Best effort; returns the entries filed.
    /// </summary>
    public static async Task<int> RepairAsync(Dataset dataset, string incarnation, IReadOnlyList<ShardEntry> entries, CancellationToken ct)
    {
        var bucket = CommitKeys.JournalBucket(dataset.Clock.GetUtcNow());
        var filed = 0;
        for (var start = 0; start < entries.Count;)
        {
            var count = Math.Min(entries.Count - start, RepairAppendEntries);
            try
            {
                await FileAsync(dataset, incarnation, bucket, entries.Skip(start).Take(count).ToList(), ct);
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

    private static byte[] FormatTime(DateTimeOffset time) => Encoding.UTF8.GetBytes(FormatTimeText(time));

    private static string FormatTimeText(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset? ParseTime(VersionedContent? content) => content is null ? null : ParseTime(Encoding.UTF8.GetString(content.Content));

    private static DateTimeOffset? ParseTime(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;
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
