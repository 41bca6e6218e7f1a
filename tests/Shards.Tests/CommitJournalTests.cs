using SSeg.Shards.Commits;
using SSeg.Shards.Storage;

namespace SSeg.Shards.Tests;

/// <summary>
/// The commit journal: a poll lists only the minutes since the previous one, a commit whose entry is missing is found
/// by the periodic full listing and by a new reader, clock skew within the allowances loses nothing, verify knows it.
/// Clocks are set by the test (writers and reader each have their own); storage is the real backend.
/// </summary>
public abstract class CommitJournalContractTests(TestRoots roots) : BackendContractTests(roots)
{
    /// <summary>A moment 30 s into a minute, so the bucket arithmetic below is easy to follow.</summary>
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 12, 0, 30, TimeSpan.Zero);

    private static ShardEntry Entry(int index, int version = 1) => new()
    {
        Kind = ShardNames.ImagesKind, Index = index, Version = version, Path = ShardNames.DataPath(ShardNames.ImagesKind, index),
        Rows = 1, Bytes = 10, Sha256 = new string('a', 64), CommittedUtc = DateTimeOffset.UtcNow,
    };

    private static async Task CommitAsync(Dataset ds, string inc, params ShardEntry[] entries)
    {
        foreach (var entry in entries) Assert.True(await ds.Commits.TryCreateAsync(inc, entry, null, default));
    }

    private static IEnumerable<int> Indexes(DatasetManifest manifest) => manifest.ImageShards.Select(s => s.Index);

    [Fact]
    public async Task A_barrier_poll_lists_only_the_journal_of_the_minutes_around_the_previous_poll_and_fetches_only_what_changed()
    {
        var clock = new ManualClock(T0.AddDays(-1));
        var storage = new CountingStorage(StorageFactory.Open(NewRootUri(), ConnectionString));
        var ds = await new DatasetStore(storage, clock).CreateOrOpenAsync("polled");
        var inc = (await ds.GetManifestAsync()).CommitIncarnation;
        // 200 shards committed a day ago: their journal minutes are long past.
        await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, ct) => Assert.True(await ds.Commits.TryCreateAsync(inc, Entry(i), null, ct)));

        clock.Now = T0;
        storage.Clear();
        Assert.Equal(200, (await ds.GetManifestAsync()).ImageShards.Count);   // the first read of a process lists every name
        Assert.Equal((true, 200L), (ds.LastCommitLogRead!.FullListing, ds.LastCommitLogRead.NamesListed));

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
        Assert.Equal((false, 3L, 3, 203L), (read.FullListing, read.NamesListed, read.ObjectsRead, read.CommitObjects));
        Assert.Equal(3, storage.NamesListed);   // the three new journal entries, none of the 200 old names
        var expectedGets = changed.Select(e => ds.KeyOf(CommitKeys.CommitPath(inc, e.Kind, e.Index, e.Version)))
            .Append(ds.KeyOf(ShardNames.ManifestFile)).Order(StringComparer.Ordinal);
        Assert.Equal(expectedGets, storage.Calls.Where(c => c.Call == "get").Select(c => c.Key).Order(StringComparer.Ordinal));
        // From 5 minutes before the previous poll (11:55:30) to 2 minutes after this one (12:02:50): two ten-minute groups.
        Assert.Equal([("list", ds.KeyOf($"_journal/{inc}/20261206115")), ("list", ds.KeyOf($"_journal/{inc}/20261206120"))],
            storage.Calls.Where(c => c.Call != "get").OrderBy(c => c.Key, StringComparer.Ordinal));
        Assert.Equal(2, read.ListCalls);

        // Nothing changed: dataset.json and the same small listings; no commit object fetched again.
        clock.Now = T0.AddSeconds(30);
        storage.Clear();
        Assert.Equal(202, (await ds.GetIndexAsync()).ImageShards.Count);
        Assert.Equal((0, 3L), (ds.LastCommitLogRead!.ObjectsRead, storage.NamesListed));
        Assert.Equal([("get", ds.KeyOf(ShardNames.ManifestFile))], storage.Calls.Where(c => c.Call != "list"));
    }

    [Fact]
    public async Task A_commit_whose_journal_entry_is_missing_is_found_by_the_next_full_listing_and_by_a_new_reader()
    {
        var clock = new ManualClock(T0);
        var storage = StorageFactory.Open(NewRootUri(), ConnectionString);
        var ds = await new DatasetStore(storage, clock).CreateOrOpenAsync("lost-entry");
        var inc = (await ds.GetManifestAsync()).CommitIncarnation;
        await CommitAsync(ds, inc, Entry(0), Entry(1));
        Assert.Equal([0, 1], Indexes(await ds.GetManifestAsync()));

        // The writer of shard 2 died between its commit object and its journal entry.
        async Task CommitWithoutJournalAsync(int index)
        {
            await CommitAsync(ds, inc, Entry(index));
            Assert.True(await storage.DeleteAsync(ds.KeyOf(CommitKeys.JournalPath(inc, CommitKeys.JournalBucket(clock.Now), ShardNames.ImagesKind, index, 1))));
        }
        clock.Now = T0.AddSeconds(10);
        await CommitWithoutJournalAsync(2);
        clock.Now = T0.AddSeconds(20);
        Assert.Equal([0, 1], Indexes(await ds.GetManifestAsync()));   // the journal does not name it: not seen yet
        Assert.False(ds.LastCommitLogRead!.FullListing);

        clock.Now = T0 + CommitLogReader.FullListingEvery;
        Assert.Equal([0, 1, 2], Indexes(await ds.GetManifestAsync()));
        Assert.True(ds.LastCommitLogRead!.FullListing);

        clock.Now += TimeSpan.FromSeconds(10);
        await CommitWithoutJournalAsync(3);
        clock.Now += TimeSpan.FromSeconds(10);
        Assert.Equal([0, 1, 2], Indexes(await ds.GetManifestAsync()));
        CommitLogReader.Forget(ds);   // a new process lists every name at once
        Assert.Equal([0, 1, 2, 3], Indexes(await ds.GetManifestAsync()));
        Assert.True((await ds.VerifyAsync(checksums: false)).Orphans.All(o => !o.StartsWith("_journal/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Writers_whose_clocks_are_behind_or_ahead_within_the_allowances_lose_no_commit()
    {
        var root = NewRootUri();
        var readerClock = new ManualClock(T0);
        var ds = await new DatasetStore(StorageFactory.Open(root, ConnectionString), readerClock).CreateOrOpenAsync("skewed");
        var inc = (await ds.GetManifestAsync()).CommitIncarnation;
        Assert.Empty(Indexes(await ds.GetManifestAsync()));

        // Three writers on other hosts commit 10 s after that read, by their own clocks.
        var written = T0.AddSeconds(10);
        Dataset Writer(TimeSpan offset) => new DatasetStore(StorageFactory.Open(root, ConnectionString), new ManualClock(written + offset)).Dataset("skewed");
        await CommitAsync(Writer(-(CommitJournal.LookBack - TimeSpan.FromSeconds(30))), inc, Entry(1));   // 4 min 30 s behind
        await CommitAsync(Writer(CommitJournal.ClockSkew), inc, Entry(2));                                 // 2 min ahead
        await CommitAsync(Writer(-(CommitJournal.LookBack + CommitJournal.ListingGroup)), inc, Entry(3));  // 15 min behind: in no group listed

        readerClock.Now = T0.AddSeconds(20);
        Assert.Equal([1, 2], Indexes(await ds.GetManifestAsync()));
        Assert.False(ds.LastCommitLogRead!.FullListing);
        readerClock.Now = T0 + CommitLogReader.FullListingEvery;   // the full listing finds the one filed too far back
        Assert.Equal([1, 2, 3], Indexes(await ds.GetManifestAsync()));
    }

    [Fact]
    public async Task A_checkpoint_writer_trims_the_journal_to_its_last_hour_and_a_later_trim_lists_only_the_groups_since()
    {
        var clock = new ManualClock(T0.AddHours(-3));
        var storage = new CountingStorage(StorageFactory.Open(NewRootUri(), ConnectionString));
        var ds = await new DatasetStore(storage, clock).CreateOrOpenAsync("trimmed");
        var inc = (await ds.GetManifestAsync()).CommitIncarnation;
        var journal = ds.KeyOf(CommitKeys.JournalFolderOf(inc) + "/");
        async Task<List<string>> JournalNamesAsync()
        {
            var names = new List<string>();
            await foreach (var item in storage.ListAsync(journal)) names.Add(item.Key[journal.Length..]);
            return names;
        }
        // 120 shards three hours ago, 3 ten minutes ago.
        await Parallel.ForEachAsync(Enumerable.Range(0, 120), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, ct) => Assert.True(await ds.Commits.TryCreateAsync(inc, Entry(i), null, ct)));
        clock.Now = T0.AddMinutes(-10);
        await CommitAsync(ds, inc, Entry(120), Entry(121), Entry(122));
        Assert.Equal(123, (await JournalNamesAsync()).Count);

        // A new process fetches all 123 objects, so it writes a checkpoint and trims: the hour before 11:00 (T0 - 1 h,
        // down to its ten-minute group) goes, the three recent entries stay.
        clock.Now = T0;
        CommitLogReader.Forget(ds);
        Assert.Equal(123, (await ds.GetManifestAsync()).ImageShards.Count);
        Assert.True(ds.LastCommitLogRead!.CheckpointWritten);
        Assert.Equal(120, ds.LastCommitLogRead.JournalEntriesTrimmed);
        Assert.All(await JournalNamesAsync(), name => Assert.StartsWith("202612061150/", name));
        Assert.Equal(3, (await JournalNamesAsync()).Count);
        CommitLogReader.Forget(ds);
        Assert.Equal(123, (await ds.GetManifestAsync()).ImageShards.Count);
        Assert.DoesNotContain((await ds.VerifyAsync(checksums: false)).Orphans, o => o.StartsWith("_journal/", StringComparison.Ordinal));

        // Two hours later, 100 more commits and the next checkpoint: that trim lists the twelve groups from the last
        // trim's 11:00 to 13:00, not the whole journal, and leaves only the new entries.
        clock.Now = T0.AddHours(2);
        await Parallel.ForEachAsync(Enumerable.Range(123, 100), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, ct) => Assert.True(await ds.Commits.TryCreateAsync(inc, Entry(i), null, ct)));
        CommitLogReader.Forget(ds);
        storage.Clear();
        Assert.Equal(223, (await ds.GetManifestAsync()).ImageShards.Count);
        Assert.Equal((true, 3), (ds.LastCommitLogRead!.CheckpointWritten, ds.LastCommitLogRead.JournalEntriesTrimmed));
        var journalListings = storage.Calls.Where(c => c.Call == "list" && c.Key.StartsWith(journal, StringComparison.Ordinal)).Select(c => c.Key[journal.Length..]).ToList();
        Assert.Equal(Enumerable.Range(0, 12).Select(g => T0.AddHours(-1).AddMinutes(10 * g).ToString("yyyyMMddHHmm")[..11]), journalListings.Order(StringComparer.Ordinal));
        Assert.Equal(100, (await JournalNamesAsync()).Count);
    }

    [Fact]
    public async Task Verify_reports_journal_entries_without_a_commit_object_as_orphans_and_keeps_the_others()
    {
        var store = DatasetStore.Open(NewRootUri(), ConnectionString);
        var ds = await store.CreateOrOpenAsync("journal-verify");
        await TestRows.WriteImageShardAsync(ds, 0, rows: 2);
        var inc = (await ds.GetManifestAsync()).CommitIncarnation;   // this process's reader has read the whole log
        var stray = CommitKeys.JournalPath(inc, CommitKeys.JournalBucket(DateTimeOffset.UtcNow), ShardNames.ImagesKind, 9, 1);
        var junk = $"{CommitKeys.JournalFolderOf(inc)}/not-a-minute/images/part-00000.v000001";
        foreach (var path in new[] { stray, junk }) await store.Storage.WriteAsync(ds.KeyOf(path), ReadOnlyMemory<byte>.Empty);

        var report = await ds.VerifyAsync();
        Assert.True(report.Ok, report.ManifestProblem);   // an entry without its object is debris, not a damaged log
        Assert.Equal(new[] { junk, stray }.Order(StringComparer.Ordinal), report.Orphans.Order(StringComparer.Ordinal));
        // A poll that meets the stray entry skips it: the commit object is the truth.
        Assert.Equal([0], Indexes(await ds.GetManifestAsync()));
        Assert.Equal((false, 0), (ds.LastCommitLogRead!.FullListing, ds.LastCommitLogRead.ObjectsRead));
    }
}

public sealed class LocalCommitJournalTests() : CommitJournalContractTests(new LocalTestRoots("sseg-journal"));

[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobCommitJournalTests(AzuriteFixture azurite) : CommitJournalContractTests(new AzuriteTestRoots(azurite));
