using System.Text;
using SSeg.Shards.Commits;
using SSeg.Shards.Storage;

namespace SSeg.Shards.Tests;

/// <summary>
/// The commit journal: a poll reads only what the minute logs gained since the previous one, a new process reads them
/// from its checkpoint's minute, a commit whose entry is missing is found by the dataset's sweep and filed for the other
/// readers, clock skew loses nothing, verify knows it. Clocks are set by the test (writers and reader each have their
/// own); storage is the real backend.
/// </summary>
public abstract class CommitJournalContractTests(TestRoots roots) : BackendContractTests(roots)
{
    /// <summary>A moment 30 s into a minute, so the bucket arithmetic below is easy to follow.</summary>
    protected static readonly DateTimeOffset T0 = new(2026, 12, 6, 12, 0, 30, TimeSpan.Zero);

    protected static ShardEntry Entry(int index, int version = 1) => new()
    {
        Kind = ShardNames.ImagesKind, Index = index, Version = version, Path = ShardNames.DataPath(ShardNames.ImagesKind, index),
        Rows = 1, Bytes = 10, Sha256 = new string('a', 64), CommittedUtc = DateTimeOffset.UtcNow,
    };

    protected static async Task CommitAsync(Dataset ds, string inc, params ShardEntry[] entries)
    {
        foreach (var entry in entries) Assert.True(await ds.Commits.TryCreateAsync(inc, entry, null, default));
    }

    protected static IEnumerable<int> Indexes(DatasetManifest manifest) => manifest.ImageShards.Select(s => s.Index);

    /// <summary>Creates a shard's commit object without its journal entry, as a writer killed between the two writes leaves it.</summary>
    private static async Task CommitWithoutJournalAsync(Dataset ds, string inc, ShardEntry entry) =>
        Assert.NotNull(await ds.Storage.TryWriteIfVersionAsync(ds.KeyOf(CommitKeys.CommitPath(inc, entry.Kind, entry.Index, entry.Version)),
            ShardJson.Serialize(new ShardCommitObject { Entry = entry }), null));

    /// <summary>The records of one minute's journal log, as lines (none when it does not exist).</summary>
    private static async Task<string[]> JournalLinesAsync(Dataset ds, string inc, DateTimeOffset minute) =>
        Encoding.UTF8.GetString(await ds.Storage.ReadFromAsync(ds.KeyOf(CommitKeys.JournalLogPath(inc, CommitKeys.JournalBucket(minute))), 0) ?? [])
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The names under the journal folder, relative to it.</summary>
    protected static async Task<List<string>> JournalNamesAsync(Dataset ds, string inc)
    {
        var journal = ds.KeyOf(CommitKeys.JournalFolderOf(inc) + "/");
        var names = new List<string>();
        await foreach (var item in ds.Storage.ListAsync(journal)) names.Add(item.Key[journal.Length..]);
        return names;
    }

    /// <summary>A new dataset on a counting storage whose clock the test sets, starting at <paramref name="start"/>.</summary>
    private protected async Task<(ManualClock Clock, CountingStorage Storage, Dataset Dataset, string Incarnation)> NewDatasetAsync(string name, DateTimeOffset start)
    {
        var clock = new ManualClock(start);
        var storage = new CountingStorage(StorageFactory.Open(NewRootUri(), ConnectionString));
        var ds = await new DatasetStore(storage, clock).CreateOrOpenAsync(name);
        return (clock, storage, ds, (await ds.GetManifestAsync()).CommitIncarnation);
    }

    [Fact]
    public async Task A_barrier_poll_reads_only_what_the_journal_gained_since_the_previous_poll_and_fetches_only_what_changed()
    {
        var (clock, storage, ds, inc) = await NewDatasetAsync("polled", T0.AddDays(-1));
        // 200 shards committed a day ago: one minute log of 200 records.
        await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, ct) => Assert.True(await ds.Commits.TryCreateAsync(inc, Entry(i), null, ct)));

        clock.Now = T0;
        storage.Clear();
        // This reader's previous read was a day ago (before those commits): it reads that log and, due for the
        // dataset's sweep, lists every commit object name.
        Assert.Equal(200, (await ds.GetManifestAsync()).ImageShards.Count);
        Assert.Equal((true, true, 201L, 1), (ds.LastCommitLogRead!.FullListing, ds.LastCommitLogRead.Swept, ds.LastCommitLogRead.NamesListed,
            ds.LastCommitLogRead.JournalLogsRead));

        // Two new shards and a replacement of an old one, then the next poll.
        clock.Now = T0.AddSeconds(10);
        var changed = new[] { Entry(200), Entry(201), Entry(4, version: 2) with { Rows = 9 } };
        await CommitAsync(ds, inc, changed);
        clock.Now = T0.AddSeconds(20);
        storage.Clear();
        var index = await ds.GetIndexAsync();   // what a barrier polls
        Assert.Equal(202, index.ImageShards.Count);
        Assert.Equal(9, index.Find("images", 4)!.Value.Rows);
        var read = ds.LastCommitLogRead!;
        Assert.Equal((false, 1L, 1, 3, 203L), (read.FullListing, read.NamesListed, read.JournalLogsRead, read.ObjectsRead, read.CommitObjects));
        Assert.Equal(changed.Sum(e => CommitKeys.JournalRecord(e.Kind, e.Index, e.Version).Length), read.JournalBytesRead);
        // The new minute's log and the three commit objects it names. (The day-old log went with the trim that followed
        // this reader's checkpoint at 12:00:30: a poll lists the journal's last hour, not the dataset.)
        var expectedGets = changed.Select(e => ds.KeyOf(CommitKeys.CommitPath(inc, e.Kind, e.Index, e.Version)))
            .Append(ds.KeyOf(ShardNames.ManifestFile)).Append(ds.KeyOf(CommitKeys.JournalLogPath(inc, CommitKeys.JournalBucket(T0))))
            .Order(StringComparer.Ordinal);
        Assert.Equal(expectedGets, storage.Calls.Where(c => c.Call == "get").Select(c => c.Key).Order(StringComparer.Ordinal));
        Assert.Equal([("list", ds.KeyOf($"_journal/{inc}/"))], storage.Calls.Where(c => c.Call != "get"));
        Assert.Equal(1, read.ListCalls);

        // Nothing changed: dataset.json and the journal's one name; no log or commit object read.
        clock.Now = T0.AddSeconds(30);
        storage.Clear();
        Assert.Equal(202, (await ds.GetIndexAsync()).ImageShards.Count);
        Assert.Equal((0, 0, 0L, 1L), (ds.LastCommitLogRead!.ObjectsRead, ds.LastCommitLogRead.JournalLogsRead, ds.LastCommitLogRead.JournalBytesRead,
            storage.NamesListed));
        Assert.Equal([("get", ds.KeyOf(ShardNames.ManifestFile))], storage.Calls.Where(c => c.Call != "list"));
    }

    [Fact]
    public async Task A_record_read_while_it_is_appended_is_taken_whole_at_the_next_poll_and_a_torn_one_costs_only_itself()
    {
        var (clock, _, ds, inc) = await NewDatasetAsync("torn", T0);
        await CommitAsync(ds, inc, Entry(0));
        Assert.Equal([0], Indexes(await ds.GetManifestAsync()));
        var log = ds.KeyOf(CommitKeys.JournalLogPath(inc, CommitKeys.JournalBucket(T0)));
        var record = CommitKeys.JournalRecord(ShardNames.ImagesKind, 1, 1);

        // Shard 1's entry is half appended when the next poll reads the log (on disk a reader can see that).
        clock.Now = T0.AddSeconds(5);
        await CommitWithoutJournalAsync(ds, inc, Entry(1));
        await ds.Storage.AppendAsync(log, record.AsMemory(0, 12));
        Assert.Equal([0], Indexes(await ds.GetManifestAsync()));
        // The rest lands; the next poll reads the record from its start.
        await ds.Storage.AppendAsync(log, record.AsMemory(12));
        Assert.Equal([0, 1], Indexes(await ds.GetManifestAsync()));
        Assert.Equal((1, 1), (ds.LastCommitLogRead!.ObjectsRead, ds.LastCommitLogRead.JournalLogsRead));

        // A writer killed mid-append leaves part of a record; the next record still parses, and only the torn one's
        // commit waits for the sweep.
        await CommitWithoutJournalAsync(ds, inc, Entry(2));
        await ds.Storage.AppendAsync(log, CommitKeys.JournalRecord(ShardNames.ImagesKind, 2, 1).AsMemory(0, 15));
        await CommitAsync(ds, inc, Entry(3));
        Assert.Equal([0, 1, 3], Indexes(await ds.GetManifestAsync()));
        clock.Now = T0 + CommitJournal.SweepEvery;
        Assert.Equal([0, 1, 2, 3], Indexes(await ds.GetManifestAsync()));
        Assert.Equal((true, 1), (ds.LastCommitLogRead!.Swept, ds.LastCommitLogRead.JournalEntriesRepaired));
    }

    [Fact]
    public async Task A_log_deleted_and_started_again_shorter_than_where_a_reader_stopped_is_read_from_its_start()
    {
        var (clock, _, ds, inc) = await NewDatasetAsync("restarted-log", T0);
        await CommitAsync(ds, inc, Entry(0), Entry(1), Entry(2));
        Assert.Equal([0, 1, 2], Indexes(await ds.GetManifestAsync()));   // this reader stopped at the log's third line

        // The log goes (a trim) and a writer whose clock is far behind starts it again with one line: shorter than
        // where this reader stopped, so reading on from there would find nothing.
        var log = ds.KeyOf(CommitKeys.JournalLogPath(inc, CommitKeys.JournalBucket(T0)));
        Assert.True(await ds.Storage.DeleteAsync(log));
        clock.Now = T0.AddSeconds(20);
        await new DatasetStore(ds.Storage, new ManualClock(T0)).Dataset(ds.Name).Commits.TryCreateAsync(inc, Entry(3), null, default);
        Assert.Equal([0, 1, 2, 3], Indexes(await ds.GetManifestAsync()));
        Assert.Equal((false, 1, 1), (ds.LastCommitLogRead!.FullListing, ds.LastCommitLogRead.JournalLogsRead, ds.LastCommitLogRead.ObjectsRead));
    }

    [Fact]
    public async Task A_journal_that_refuses_the_line_fails_the_commit_before_anything_is_published_and_committing_again_succeeds()
    {
        var (clock, _, ds, inc) = await NewDatasetAsync("no-append", T0);
        Assert.Empty(Indexes(await ds.GetManifestAsync()));
        // This minute's log cannot take an append: a folder on disk, a block blob on Blob.
        var log = ds.KeyOf(CommitKeys.JournalLogPath(inc, CommitKeys.JournalBucket(T0)));
        if (ds.Storage is CountingStorage { Inner: LocalStorage local }) Directory.CreateDirectory(local.PathOf(log));
        else await ds.Storage.WriteAsync(log, Encoding.UTF8.GetBytes("not a log"));

        var e = await Assert.ThrowsAsync<IOException>(() => TestRows.WriteImageShardAsync(ds, 0, rows: 1));
        Assert.Contains("images shard 0 (version 1)", e.Message);
        Assert.Contains("journal line could not be filed", e.Message);
        Assert.Null(await ds.Storage.GetInfoAsync(ds.KeyOf(CommitKeys.CommitPath(inc, ShardNames.ImagesKind, 0, 1))));

        // A minute later the writer's line goes to the next minute's log, and the shard is committed.
        clock.Now = T0.AddMinutes(1);
        Assert.False((await TestRows.WriteImageShardAsync(ds, 0, rows: 1)).AlreadyCommitted);
        clock.Now = T0.AddMinutes(1).AddSeconds(10);
        Assert.Equal([0], Indexes(await ds.GetManifestAsync()));
        Assert.Equal((false, false), (ds.LastCommitLogRead!.FullListing, ds.LastCommitLogRead.Swept));
    }

    [Fact]
    public async Task A_line_read_before_its_commit_object_exists_is_awaited_and_the_commit_is_seen_at_the_next_poll()
    {
        var (clock, storage, ds, inc) = await NewDatasetAsync("awaited", T0);
        Assert.Empty(Indexes(await ds.GetManifestAsync()));
        var other = new CommitLogReader();   // another process's reader, polling while shard 0's writer is between line and object
        Assert.Empty((await other.ReadAsync(ds, inc, default)).Heads);
        var commitKey = ds.KeyOf(CommitKeys.CommitPath(inc, ShardNames.ImagesKind, 0, 1));
        storage.BeforePut = async key =>
        {
            if (key != commitKey) return;
            clock.Now = T0.AddSeconds(5);
            Assert.Empty((await other.ReadAsync(ds, inc, default)).Heads);
            Assert.Equal((1, 0, 1), (other.LastRead!.JournalLogsRead, other.LastRead.ObjectsRead, other.LastRead.JournalLinesAwaited));
        };
        await CommitAsync(ds, inc, Entry(0));
        storage.BeforePut = null;

        // The log has not grown since: the awaited object is probed, found and taken, with no sweep.
        clock.Now = T0.AddSeconds(10);
        Assert.Equal([0], (await other.ReadAsync(ds, inc, default)).Heads[ShardNames.ImagesKind].Select(h => h.Index));
        Assert.Equal((0, 1, 0, false), (other.LastRead!.JournalLogsRead, other.LastRead.ObjectsRead, other.LastRead.JournalLinesAwaited,
            other.LastRead.FullListing));
    }

    [Fact]
    public async Task A_reader_that_lists_every_name_while_a_writer_is_between_line_and_object_awaits_that_line()
    {
        var (clock, storage, ds, inc) = await NewDatasetAsync("listing-awaits", T0);
        await CommitAsync(ds, inc, Entry(0));
        var fresh = new CommitLogReader();   // a new process with no checkpoint: its first read lists every name
        var commitKey = ds.KeyOf(CommitKeys.CommitPath(inc, ShardNames.ImagesKind, 1, 1));
        storage.BeforePut = async key =>
        {
            if (key != commitKey) return;
            clock.Now = T0.AddSeconds(5);
            Assert.Equal([0], (await fresh.ReadAsync(ds, inc, default)).Heads[ShardNames.ImagesKind].Select(h => h.Index));
            Assert.Equal((true, 1), (fresh.LastRead!.FullListing, fresh.LastRead.JournalLinesAwaited));
        };
        await CommitAsync(ds, inc, Entry(1));
        storage.BeforePut = null;
        clock.Now = T0.AddSeconds(10);
        Assert.Equal([0, 1], (await fresh.ReadAsync(ds, inc, default)).Heads[ShardNames.ImagesKind].Select(h => h.Index));
        Assert.Equal((false, 0, 1), (fresh.LastRead!.FullListing, fresh.LastRead.JournalLogsRead, fresh.LastRead.ObjectsRead));
    }

    [Fact]
    public async Task A_sweep_does_not_take_a_commit_whose_line_it_read_before_the_object_for_one_without_a_line()
    {
        var (clock, storage, ds, inc) = await NewDatasetAsync("sweep-awaits", T0);
        await CommitAsync(ds, inc, Entry(0));
        Assert.Equal([0], Indexes(await ds.GetManifestAsync()));
        // Shard 1's writer has filed its line; its object lands after the next poll read the line and probed for it,
        // while that poll (the dataset's sweep) is about to list every name.
        clock.Now = T0 + CommitJournal.SweepEvery;
        await ds.Storage.AppendAsync(ds.KeyOf(CommitKeys.JournalLogPath(inc, CommitKeys.JournalBucket(clock.Now))), CommitKeys.JournalRecord(ShardNames.ImagesKind, 1, 1));
        var commits = ds.KeyOf(CommitKeys.CommitsFolderOf(inc) + "/");
        storage.BeforeList = async prefix =>
        {
            if (prefix == commits) await CommitWithoutJournalAsync(ds, inc, Entry(1));
        };
        Assert.Equal([0, 1], Indexes(await ds.GetManifestAsync()));
        storage.BeforeList = null;
        Assert.Equal((true, 0), (ds.LastCommitLogRead!.Swept, ds.LastCommitLogRead.JournalEntriesRepaired));
        Assert.True(JournalWarnings.Once(ds, JournalWarnings.SweepFoundUnnamed, "(test) the sweep found every commit named"));
    }

    [Fact]
    public async Task A_line_whose_writer_died_before_its_object_is_awaited_for_AwaitFor_then_dropped()
    {
        var (clock, storage, ds, inc) = await NewDatasetAsync("dead-writer", T0);
        await CommitAsync(ds, inc, Entry(0));
        // Shard 1's writer filed its line and died.
        await ds.Storage.AppendAsync(ds.KeyOf(CommitKeys.JournalLogPath(inc, CommitKeys.JournalBucket(T0))), CommitKeys.JournalRecord(ShardNames.ImagesKind, 1, 1));
        clock.Now = T0.AddSeconds(10);
        Assert.Equal([0], Indexes(await ds.GetManifestAsync()));
        Assert.Equal(1, ds.LastCommitLogRead!.JournalLinesAwaited);
        clock.Now = T0 + CommitJournal.AwaitFor - TimeSpan.FromSeconds(1);
        storage.Clear();
        Assert.Equal([0], Indexes(await ds.GetManifestAsync()));
        Assert.Equal(1, ds.LastCommitLogRead!.JournalLinesAwaited);
        Assert.Contains(("get", ds.KeyOf(CommitKeys.CommitPath(inc, ShardNames.ImagesKind, 1, 1))), storage.Calls);   // probed again
        clock.Now = T0 + CommitJournal.AwaitFor + TimeSpan.FromSeconds(10);
        Assert.Equal([0], Indexes(await ds.GetManifestAsync()));
        Assert.Equal(0, ds.LastCommitLogRead!.JournalLinesAwaited);
        storage.Clear();
        clock.Now = T0 + CommitJournal.AwaitFor + TimeSpan.FromSeconds(20);
        Assert.Equal([0], Indexes(await ds.GetManifestAsync()));
        Assert.DoesNotContain(storage.Calls, c => c.Key.EndsWith("part-00001.v000001.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_writer_slower_than_RefileAfter_from_line_to_object_files_its_line_again_so_a_reader_that_stopped_waiting_sees_the_commit()
    {
        var (clock, storage, ds, inc) = await NewDatasetAsync("slow-writer", T0);
        var other = new CommitLogReader();
        Assert.Empty((await other.ReadAsync(ds, inc, default)).Heads);
        var commitKey = ds.KeyOf(CommitKeys.CommitPath(inc, ShardNames.ImagesKind, 0, 1));
        storage.BeforePut = async key =>
        {
            if (key != commitKey) return;
            // The other reader meets the line, waits its AwaitFor and gives up, all while this writer is stalled.
            clock.Now = T0.AddSeconds(5);
            await other.ReadAsync(ds, inc, default);
            clock.Now = T0 + CommitJournal.AwaitFor + TimeSpan.FromSeconds(10);
            await other.ReadAsync(ds, inc, default);
            Assert.Equal(0, other.LastRead!.JournalLinesAwaited);
        };
        await CommitAsync(ds, inc, Entry(0));
        storage.BeforePut = null;
        var line = CommitKeys.JournalRecord(ShardNames.ImagesKind, 0, 1);
        Assert.Single(await JournalLinesAsync(ds, inc, T0));
        Assert.Single(await JournalLinesAsync(ds, inc, clock.Now));   // filed again, in the minute the object was created

        clock.Now += TimeSpan.FromSeconds(10);
        Assert.Equal([0], (await other.ReadAsync(ds, inc, default)).Heads[ShardNames.ImagesKind].Select(h => h.Index));
        Assert.Equal((false, 1L * line.Length), (other.LastRead!.FullListing, other.LastRead.JournalBytesRead));
    }

    [Fact]
    public async Task A_full_minute_log_goes_on_in_its_next_part_and_a_poll_reads_each_part_on_from_where_it_stopped()
    {
        var (clock, storage, ds, inc) = await NewDatasetAsync("full-log", T0);
        storage.AppendsPerObject = 3;   // as an append blob's 50,000, scaled down
        Assert.Empty(Indexes(await ds.GetManifestAsync()));
        await CommitAsync(ds, inc, Enumerable.Range(0, 5).Select(i => Entry(i)).ToArray());
        var bucket = CommitKeys.JournalBucket(T0);
        Assert.Equal([$"{bucket}.1.log", $"{bucket}.log"], (await JournalNamesAsync(ds, inc)).Order(StringComparer.Ordinal));

        clock.Now = T0.AddSeconds(10);
        Assert.Equal([0, 1, 2, 3, 4], Indexes(await ds.GetManifestAsync()));
        Assert.Equal((false, 2, 5), (ds.LastCommitLogRead!.FullListing, ds.LastCommitLogRead.JournalLogsRead, ds.LastCommitLogRead.ObjectsRead));

        // Part 1 takes one more record and part 2 the next: a poll reads those two, each from where it stopped.
        await CommitAsync(ds, inc, Entry(5), Entry(6));
        clock.Now = T0.AddSeconds(20);
        Assert.Equal([0, 1, 2, 3, 4, 5, 6], Indexes(await ds.GetManifestAsync()));
        Assert.Equal((2, 2, 2L * CommitKeys.JournalRecord(ShardNames.ImagesKind, 5, 1).Length),
            (ds.LastCommitLogRead!.JournalLogsRead, ds.LastCommitLogRead.ObjectsRead, ds.LastCommitLogRead.JournalBytesRead));
        Assert.Equal([$"{bucket}.1.log", $"{bucket}.2.log", $"{bucket}.log"], (await JournalNamesAsync(ds, inc)).Order(StringComparer.Ordinal));
        Assert.Empty((await ds.VerifyAsync()).Orphans);   // the parts are the log's (these shards have no data files to verify)
    }

    [Fact]
    public async Task On_a_store_that_takes_no_appends_each_entry_is_an_object_and_polls_still_see_every_commit_without_a_sweep()
    {
        var (clock, storage, ds, inc) = await NewDatasetAsync("no-appends", T0);
        storage.TakesNoAppends = true;
        var other = new CommitLogReader();   // another process's long-lived reader
        async Task<int[]> OtherReadsAsync() => (await other.ReadAsync(ds, inc, default)).Heads.GetValueOrDefault(ShardNames.ImagesKind, HeadsTable.Empty).Select(h => h.Index).ToArray();
        Assert.Empty(Indexes(await ds.GetManifestAsync()));
        Assert.Empty(await OtherReadsAsync());

        clock.Now = T0.AddSeconds(10);
        await CommitAsync(ds, inc, Entry(0), Entry(1));
        Assert.False(JournalWarnings.Once(ds, JournalWarnings.NoAppends, "(test) already said by the writer"));
        Assert.True(JournalWarnings.Once(ds, JournalWarnings.AppendRefused, "(test) no commit's entry was lost"));
        var folder = CommitKeys.JournalFolderOf(inc).Length + 1;
        Assert.Equal(new[] { 0, 1 }.Select(i => CommitKeys.JournalPath(inc, CommitKeys.JournalBucket(T0), ShardNames.ImagesKind, i, 1)[folder..]),
            (await JournalNamesAsync(ds, inc)).Order(StringComparer.Ordinal));

        clock.Now = T0.AddSeconds(20);
        Assert.Equal([0, 1], Indexes(await ds.GetManifestAsync()));
        Assert.Equal((false, false, 2), (ds.LastCommitLogRead!.FullListing, ds.LastCommitLogRead.Swept, ds.LastCommitLogRead.ObjectsRead));
        Assert.Equal(new[] { 0, 1 }, await OtherReadsAsync());
        await CommitAsync(ds, inc, Entry(1, version: 2) with { Rows = 7 });
        clock.Now = T0.AddSeconds(30);
        Assert.Equal(7, (await ds.GetIndexAsync()).Find(ShardNames.ImagesKind, 1)!.Value.Rows);
        Assert.Equal((false, false), (ds.LastCommitLogRead!.FullListing, ds.LastCommitLogRead.Swept));
        Assert.Empty((await ds.VerifyAsync()).Orphans);
    }

    [Fact]
    public async Task A_commit_whose_journal_entry_is_missing_is_found_by_the_next_sweep_which_files_it_for_every_other_reader()
    {
        var clock = new ManualClock(T0);
        var storage = StorageFactory.Open(NewRootUri(), ConnectionString);
        var ds = await new DatasetStore(storage, clock).CreateOrOpenAsync("lost-entry");
        var inc = (await ds.GetManifestAsync()).CommitIncarnation;
        await CommitAsync(ds, inc, Entry(0), Entry(1));
        // Two long-lived readers: this process's, and another process's.
        var other = new CommitLogReader();
        async Task<int[]> OtherReadsAsync() => (await other.ReadAsync(ds, inc, default)).Heads.GetValueOrDefault(ShardNames.ImagesKind, HeadsTable.Empty).Select(h => h.Index).ToArray();
        Assert.Equal([0, 1], Indexes(await ds.GetManifestAsync()));
        Assert.Equal(new[] { 0, 1 }, await OtherReadsAsync());

        // The writer of shard 2 died between its commit object and its journal entry.
        clock.Now = T0.AddSeconds(10);
        await CommitWithoutJournalAsync(ds, inc, Entry(2));
        clock.Now = T0.AddSeconds(20);
        Assert.Equal([0, 1], Indexes(await ds.GetManifestAsync()));   // the journal does not name it: not seen yet
        Assert.Equal((false, false), (ds.LastCommitLogRead!.FullListing, ds.LastCommitLogRead.Swept));
        Assert.Equal(new[] { 0, 1 }, await OtherReadsAsync());

        // Ten minutes on, the first reader to poll claims the sweep: it lists every name, finds shard 2 and files its entry.
        clock.Now = T0 + CommitJournal.SweepEvery;
        Assert.Equal([0, 1, 2], Indexes(await ds.GetManifestAsync()));
        Assert.Equal((true, true, 1), (ds.LastCommitLogRead!.FullListing, ds.LastCommitLogRead.Swept, ds.LastCommitLogRead.JournalEntriesRepaired));
        Assert.Equal(["images/part-00002.v000001"], await JournalLinesAsync(ds, inc, clock.Now));
        Assert.False(JournalWarnings.Once(ds, JournalWarnings.SweepFoundUnnamed, "(test) already said by the sweep"));
        // The other reader is due too, but the dataset was just swept: it reads the journal only and finds shard 2 there.
        clock.Now += TimeSpan.FromSeconds(10);
        Assert.Equal(new[] { 0, 1, 2 }, await OtherReadsAsync());
        Assert.Equal((false, false, 1), (other.LastRead!.FullListing, other.LastRead.Swept, other.LastRead.ObjectsRead));

        // Not due again for ten minutes, whoever asks.
        clock.Now += TimeSpan.FromSeconds(10);
        await CommitWithoutJournalAsync(ds, inc, Entry(3));
        clock.Now += CommitJournal.SweepEvery - TimeSpan.FromSeconds(30);
        Assert.Equal([0, 1, 2], Indexes(await ds.GetManifestAsync()));
        Assert.Equal(new[] { 0, 1, 2 }, await OtherReadsAsync());
        Assert.False(other.LastRead!.Swept);
        clock.Now += TimeSpan.FromSeconds(30);
        Assert.Equal(new[] { 0, 1, 2, 3 }, await OtherReadsAsync());
        Assert.Equal((true, 1), (other.LastRead!.Swept, other.LastRead.JournalEntriesRepaired));
        Assert.Equal([0, 1, 2, 3], Indexes(await ds.GetManifestAsync()));
        Assert.False(ds.LastCommitLogRead!.Swept);
        Assert.True((await ds.VerifyAsync(checksums: false)).Orphans.All(o => !o.StartsWith("_journal/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_new_process_reads_the_journal_from_its_checkpoints_minute_unless_the_journal_was_trimmed_past_it()
    {
        var (clock, storage, ds, inc) = await NewDatasetAsync("journal-start", T0.AddDays(-1));
        var commits = ds.KeyOf(CommitKeys.CommitsFolderOf(inc));
        await Parallel.ForEachAsync(Enumerable.Range(0, 1000), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, ct) => Assert.True(await ds.Commits.TryCreateAsync(inc, Entry(i), null, ct)));

        // The first new process has no checkpoint: it lists every name and writes one that records 11:56:30, five
        // minutes before its read.
        clock.Now = T0.AddMinutes(1);
        CommitLogReader.Forget(ds);
        Assert.Equal(1000, (await ds.GetIndexAsync()).ImageShards.Count);
        Assert.Equal((true, false, true), (ds.LastCommitLogRead!.FullListing, ds.LastCommitLogRead.StartedFromJournal, ds.LastCommitLogRead.CheckpointWritten));

        // Twenty minutes later: five new shards and a replacement. The next new process starts from 11:56:30 and, as
        // the dataset's first sweep, also lists every name (finding nothing the journal missed).
        clock.Now = T0.AddMinutes(20);
        await CommitAsync(ds, inc, [.. Enumerable.Range(1000, 5).Select(i => Entry(i)), Entry(7, version: 2) with { Rows = 9 }]);
        clock.Now = T0.AddMinutes(21);
        CommitLogReader.Forget(ds);
        Assert.Equal(1005, (await ds.GetIndexAsync()).ImageShards.Count);
        var read = ds.LastCommitLogRead!;
        Assert.Equal((true, true, true, 0), (read.StartedFromJournal, read.Swept, read.CheckpointLoaded, read.JournalEntriesRepaired));

        // One more new process: one listing of the journal (the 12:20 log; the day-old one went with the trim after the
        // first checkpoint), that log read (six records), and no commit object name listed.
        clock.Now = T0.AddMinutes(21.5);
        CommitLogReader.Forget(ds);
        storage.Clear();
        var index = await ds.GetIndexAsync();
        Assert.Equal((1005, 9L), (index.ImageShards.Count, index.Find(ShardNames.ImagesKind, 7)!.Value.Rows));
        read = ds.LastCommitLogRead!;
        Assert.Equal((true, false, false, 1L, 1, 6, 1006L), (read.StartedFromJournal, read.FullListing, read.Swept, read.NamesListed, read.JournalLogsRead,
            read.ObjectsRead, read.CommitObjects));
        Assert.Equal([ds.KeyOf(CommitKeys.JournalLogPath(inc, "202612061220"))],
            storage.Calls.Where(c => c.Call == "get" && c.Key.StartsWith(ds.KeyOf(CommitKeys.JournalFolderOf(inc) + "/"), StringComparison.Ordinal)).Select(c => c.Key));
        Assert.DoesNotContain(storage.Calls, c => c.Call == "list" && c.Key.StartsWith(commits, StringComparison.Ordinal));

        // Shard 1005 at 12:30; two hours on, a checkpoint writer trims the journal before 13:00: the logs of 12:20 and 12:30.
        clock.Now = T0.AddMinutes(30);
        await CommitAsync(ds, inc, Entry(1005));
        clock.Now = T0.AddHours(2);
        Assert.Equal(2, await CommitJournal.TrimAsync(ds, inc, default));
        // A new process finds the trim past its checkpoint's minute: it lists every name (so it sees shard 1005) and,
        // as its checkpoint is too old to start from, writes one that the next new process starts from.
        CommitLogReader.Forget(ds);
        Assert.Equal(1006, (await ds.GetIndexAsync()).ImageShards.Count);
        read = ds.LastCommitLogRead!;
        Assert.Equal((false, true, true), (read.StartedFromJournal, read.FullListing, read.CheckpointWritten));
        clock.Now = T0.AddHours(2).AddMinutes(1);
        CommitLogReader.Forget(ds);
        Assert.Equal(1006, (await ds.GetIndexAsync()).ImageShards.Count);
        Assert.True(ds.LastCommitLogRead!.StartedFromJournal);

        // Idle for two more hours, then trimmed past that minute again: the next new process lists every name, finds
        // nothing new, and writes a checkpoint of the same count that records a fresh minute. The two names sort
        // either way (a random id); the process after must read the later one and start from the journal.
        clock.Now = T0.AddHours(4);
        await CommitJournal.TrimAsync(ds, inc, default);
        CommitLogReader.Forget(ds);
        Assert.Equal(1006, (await ds.GetIndexAsync()).ImageShards.Count);
        Assert.Equal((false, 0, true), (ds.LastCommitLogRead!.StartedFromJournal, ds.LastCommitLogRead.ObjectsRead, ds.LastCommitLogRead.CheckpointWritten));
        clock.Now = T0.AddHours(4).AddMinutes(1);
        CommitLogReader.Forget(ds);
        Assert.Equal(1006, (await ds.GetIndexAsync()).ImageShards.Count);
        Assert.True(ds.LastCommitLogRead!.StartedFromJournal);
        var report = await ds.VerifyAsync(checksums: false);
        Assert.True(report.ManifestProblem is null && report.Orphans.Count == 0, $"{report.ManifestProblem} {string.Join(", ", report.Orphans)}");
    }

    [Fact]
    public async Task A_large_dataset_is_swept_a_slice_a_step_and_a_pass_finds_every_commit_without_its_line()
    {
        var (clock, _, ds, inc) = await NewDatasetAsync("sliced-sweep", T0);
        var masks = ShardNames.MasksKind("g1");
        var indexes = new[] { 0, 1, 9_999, 10_000, 20_000, 20_001, 55_555, 99_999 };
        await CommitAsync(ds, inc, indexes.Select(i => Entry(i)).Concat([Entry(0) with { Kind = masks, Path = ShardNames.DataPath(masks, 0) }]).ToArray());
        // Past this many commit objects a reader sweeps by slices: here 10 per kind (the highest index has 5 digits).
        var sweeper = new CommitLogReader { SweepWholeUpTo = 5 };
        var other = new CommitLogReader { SweepWholeUpTo = 5 };
        async Task<int[]> ReadAsync(CommitLogReader reader) =>
            (await reader.ReadAsync(ds, inc, default)).Heads.GetValueOrDefault(ShardNames.ImagesKind, HeadsTable.Empty).Select(h => h.Index).ToArray();
        Assert.Equal(indexes, await ReadAsync(sweeper));
        Assert.Equal(indexes, await ReadAsync(other));

        // Two commits whose lines were lost (an older build's writer killed between object and line).
        await CommitWithoutJournalAsync(ds, inc, Entry(20_002));
        await CommitWithoutJournalAsync(ds, inc, Entry(1, version: 2));
        var step = CommitJournal.SweepEvery / 20;
        var seen = new List<string>();
        var repaired = 0;
        for (var i = 0; i < 20; i++)
        {
            clock.Now += step;
            var heads = await ReadAsync(sweeper);
            var read = sweeper.LastRead!;
            Assert.True(read.Swept, $"step {i} not taken");
            Assert.False(read.FullListing);
            seen.Add(read.SweptSlice!);
            repaired += read.JournalEntriesRepaired;
            // Shard 20,002 is found by the slice of lead 2, not before; version 2 of shard 1 by the slice of lead 0.
            Assert.Equal(string.CompareOrdinal(read.SweptSlice, "images/part-2") >= 0, heads.Contains(20_002));
            // The other reader, due at the same moment, finds the step taken, and sees what the sweep filed again.
            await ReadAsync(other);
            Assert.False(other.LastRead!.Swept);
        }
        Assert.Equal(Enumerable.Range(0, 10).Select(d => $"images/part-{d}").Concat(Enumerable.Range(0, 10).Select(d => $"{masks}/part-{d}")), seen);
        Assert.Equal(2, repaired);
        var otherHeads = (await other.ReadAsync(ds, inc, default)).Heads[ShardNames.ImagesKind];
        Assert.Equal(indexes.Append(20_002).Order(), otherHeads.Select(h => h.Index));
        Assert.Equal(2, otherHeads.Find(1)!.Value.Version);
        // A pass ends where it began; the step's mark belongs to the log.
        clock.Now += step;
        await ReadAsync(sweeper);
        Assert.Equal("images/part-0", sweeper.LastRead!.SweptSlice);
        var report = await ds.VerifyAsync(checksums: false);
        Assert.True(report.ManifestProblem is null && report.Orphans.Count == 0, $"{report.ManifestProblem} {string.Join(", ", report.Orphans)}");
    }

    [Fact]
    public async Task Of_several_readers_due_for_the_sweep_at_once_exactly_one_sweeps()
    {
        var clock = new ManualClock(T0);
        var ds = await new DatasetStore(StorageFactory.Open(NewRootUri(), ConnectionString), clock).CreateOrOpenAsync("one-sweeper");
        var inc = (await ds.GetManifestAsync()).CommitIncarnation;
        await CommitAsync(ds, inc, Entry(0), Entry(1));
        var readers = Enumerable.Range(0, 4).Select(_ => new CommitLogReader()).ToList();
        async Task<int> SweepsAsync()
        {
            await Task.WhenAll(readers.Select(r => r.ReadAsync(ds, inc, default)));
            return readers.Count(r => r.LastRead!.Swept);
        }
        Assert.Equal(0, await SweepsAsync());   // first reads without a checkpoint list every name anyway
        clock.Now = T0 + CommitJournal.SweepEvery;
        Assert.Equal(1, await SweepsAsync());
        clock.Now += TimeSpan.FromMinutes(5);
        Assert.Equal(0, await SweepsAsync());   // asked only every ten minutes of each reader's life, and swept 5 minutes ago
        clock.Now += CommitJournal.SweepEvery;
        Assert.Equal(1, await SweepsAsync());   // each asks again, 15 minutes after the last sweep: one sweeps
        // Nothing was missing from the journal, so no sweep warned.
        Assert.True(JournalWarnings.Once(ds, JournalWarnings.SweepFoundUnnamed, "(test) no sweep of this dataset found a commit without its line"));
    }

    [Fact]
    public async Task Writers_whose_clocks_are_far_behind_or_ahead_lose_no_commit_a_polling_reader_reads_every_log_that_grew()
    {
        var root = NewRootUri();
        var readerClock = new ManualClock(T0);
        var ds = await new DatasetStore(StorageFactory.Open(root, ConnectionString), readerClock).CreateOrOpenAsync("skewed");
        var inc = (await ds.GetManifestAsync()).CommitIncarnation;
        Assert.Empty(Indexes(await ds.GetManifestAsync()));

        // Four writers on other hosts commit 10 s after that read, by their own clocks: into the logs of minutes far
        // from the reader's.
        var written = T0.AddSeconds(10);
        Dataset Writer(TimeSpan offset) => new DatasetStore(StorageFactory.Open(root, ConnectionString), new ManualClock(written + offset)).Dataset("skewed");
        await CommitAsync(Writer(-(CommitJournal.LookBack - TimeSpan.FromSeconds(30))), inc, Entry(1));   // 4 min 30 s behind
        await CommitAsync(Writer(CommitJournal.ClockSkew), inc, Entry(2));                                 // 2 min ahead
        await CommitAsync(Writer(TimeSpan.FromMinutes(-15)), inc, Entry(3));
        await CommitAsync(Writer(TimeSpan.FromHours(3)), inc, Entry(4));

        readerClock.Now = T0.AddSeconds(20);
        Assert.Equal([1, 2, 3, 4], Indexes(await ds.GetManifestAsync()));
        Assert.Equal((false, 4), (ds.LastCommitLogRead!.FullListing, ds.LastCommitLogRead.JournalLogsRead));
    }

    [Fact]
    public async Task A_checkpoint_writer_trims_the_journal_to_its_last_hour()
    {
        var (clock, storage, ds, inc) = await NewDatasetAsync("trimmed", T0.AddHours(-3));
        var journal = ds.KeyOf(CommitKeys.JournalFolderOf(inc) + "/");
        // 120 shards three hours ago, 3 ten minutes ago: two minute logs.
        await Parallel.ForEachAsync(Enumerable.Range(0, 120), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, ct) => Assert.True(await ds.Commits.TryCreateAsync(inc, Entry(i), null, ct)));
        clock.Now = T0.AddMinutes(-10);
        await CommitAsync(ds, inc, Entry(120), Entry(121), Entry(122));
        Assert.Equal(["202612060900.log", "202612061150.log"], await JournalNamesAsync(ds, inc));

        // A new process fetches all 123 objects, so it writes a checkpoint and trims: the minutes before 11:00 go.
        clock.Now = T0;
        CommitLogReader.Forget(ds);
        Assert.Equal(123, (await ds.GetManifestAsync()).ImageShards.Count);
        Assert.True(ds.LastCommitLogRead!.CheckpointWritten);
        Assert.Equal(1, ds.LastCommitLogRead.JournalEntriesTrimmed);
        Assert.Equal(["202612061150.log"], await JournalNamesAsync(ds, inc));
        CommitLogReader.Forget(ds);
        Assert.Equal(123, (await ds.GetManifestAsync()).ImageShards.Count);
        Assert.DoesNotContain((await ds.VerifyAsync(checksums: false)).Orphans, o => o.StartsWith("_journal/", StringComparison.Ordinal));

        // Two hours later, 100 more commits and a new process: it starts from its checkpoint's minute (11:55; the trim
        // mark, 11:00, is before it), and the trim after its checkpoint leaves only the new minute's log.
        clock.Now = T0.AddHours(2);
        await Parallel.ForEachAsync(Enumerable.Range(123, 100), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, ct) => Assert.True(await ds.Commits.TryCreateAsync(inc, Entry(i), null, ct)));
        CommitLogReader.Forget(ds);
        storage.Clear();
        Assert.Equal(223, (await ds.GetManifestAsync()).ImageShards.Count);
        Assert.Equal((true, true, 1), (ds.LastCommitLogRead!.StartedFromJournal, ds.LastCommitLogRead.CheckpointWritten, ds.LastCommitLogRead.JournalEntriesTrimmed));
        // One listing to read, one to trim.
        Assert.Equal([journal, journal], storage.Calls.Where(c => c.Call == "list" && c.Key.StartsWith(journal, StringComparison.Ordinal)).Select(c => c.Key));
        Assert.Equal(["202612061400.log"], await JournalNamesAsync(ds, inc));
        Assert.Equal(100, (await JournalLinesAsync(ds, inc, clock.Now)).Length);
    }

    [Fact]
    public async Task Verify_reports_journal_entries_without_a_commit_object_as_orphans_and_keeps_the_others()
    {
        var store = DatasetStore.Open(NewRootUri(), ConnectionString);
        var ds = await store.CreateOrOpenAsync("journal-verify");
        await TestRows.WriteImageShardAsync(ds, 0, rows: 2);
        var inc = (await ds.GetManifestAsync()).CommitIncarnation;   // this process's reader has read the whole log
        // An older build's entry whose commit object is gone, and a name that is no entry at all.
        var stray = CommitKeys.JournalPath(inc, CommitKeys.JournalBucket(DateTimeOffset.UtcNow), ShardNames.ImagesKind, 9, 1);
        var junk = $"{CommitKeys.JournalFolderOf(inc)}/not-a-minute/images/part-00000.v000001";
        foreach (var path in new[] { stray, junk }) await store.Storage.WriteAsync(ds.KeyOf(path), ReadOnlyMemory<byte>.Empty);
        // A minute log's record of a commit object that is gone, and a line that is no record.
        var log = ds.KeyOf(CommitKeys.JournalLogPath(inc, CommitKeys.JournalBucket(DateTimeOffset.UtcNow)));
        await store.Storage.AppendAsync(log, CommitKeys.JournalRecord(ShardNames.ImagesKind, 8, 1));
        await store.Storage.AppendAsync(log, Encoding.UTF8.GetBytes("\nnot a record\n"));

        var report = await ds.VerifyAsync();
        Assert.True(report.Ok, report.ManifestProblem);   // an entry without its object is debris, not a damaged log
        Assert.Equal(new[] { junk, stray }.Order(StringComparer.Ordinal), report.Orphans.Order(StringComparer.Ordinal));
        // A poll that meets those entries skips them: the commit object is the truth.
        Assert.Equal([0], Indexes(await ds.GetManifestAsync()));
        Assert.Equal((false, 0), (ds.LastCommitLogRead!.FullListing, ds.LastCommitLogRead.ObjectsRead));
    }
}

public sealed class LocalCommitJournalTests() : CommitJournalContractTests(new LocalTestRoots("sseg-journal"));

[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobCommitJournalTests(AzuriteFixture azurite) : CommitJournalContractTests(new AzuriteTestRoots(azurite))
{
    [Fact]
    public async Task A_minute_log_holding_an_append_blobs_50000_appends_goes_on_in_its_next_part()
    {
        var (clock, _, ds, inc) = await NewDatasetAsync("full-blob", T0);
        Assert.Empty(Indexes(await ds.GetManifestAsync()));
        // The service's (and Azurite's) most blocks an append blob commits, here as empty lines.
        var log = ds.KeyOf(CommitKeys.JournalLogPath(inc, CommitKeys.JournalBucket(T0)));
        await Parallel.ForEachAsync(Enumerable.Range(0, 50_000), new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (_, ct) => await ds.Storage.AppendAsync(log, "\n"u8.ToArray(), ct));
        await Assert.ThrowsAsync<AppendLimitReachedException>(() => ds.Storage.AppendAsync(log, "\n"u8.ToArray()));

        await CommitAsync(ds, inc, Entry(0));
        var bucket = CommitKeys.JournalBucket(T0);
        Assert.Equal([$"{bucket}.1.log", $"{bucket}.log"], (await JournalNamesAsync(ds, inc)).Order(StringComparer.Ordinal));
        clock.Now = T0.AddSeconds(10);
        Assert.Equal([0], Indexes(await ds.GetManifestAsync()));
        Assert.Equal((false, 2), (ds.LastCommitLogRead!.FullListing, ds.LastCommitLogRead.JournalLogsRead));
    }
}
