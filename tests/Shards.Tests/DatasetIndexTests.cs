using System.Text.Json;
using SSeg.Shards.Commits;
using SSeg.Shards.Storage;
using static SSeg.Shards.Tests.CheckpointSegmentContractTests;

namespace SSeg.Shards.Tests;

/// <summary>
/// The index stages poll (<see cref="Dataset.ReadIndexAsync"/>): a head per shard, whole entries kept only until a
/// checkpoint stores them, and whole entries read back exactly (segments, entries not stored yet, commit objects).
/// Storage is the real backend; commit objects are made directly, as the protocol's own tests do.
/// </summary>
public abstract class DatasetIndexContractTests(TestRoots roots) : BackendContractTests(roots)
{
    private static string Json(ShardEntry e) => JsonSerializer.Serialize(e);

    private static readonly string Masks = ShardNames.MasksKind("g1");

    /// <summary>A new dataset with image shards [0, <paramref name="images"/>) and mask shards 0-4 committed; their entries.</summary>
    private async Task<(Dataset Dataset, List<ShardEntry> Committed)> ImagesAndMasksAsync(string name, int images)
    {
        var ds = await DatasetStore.Open(NewRootUri(), ConnectionString).CreateOrOpenAsync(name);
        var committed = Enumerable.Range(0, images).Select(i => Entry(i)).Concat(Enumerable.Range(0, 5).Select(i => Entry(i, kind: Masks))).ToList();
        await CommitAsync(ds, committed);
        return (ds, committed);
    }

    /// <summary>
    /// Commits <paramref name="count"/> new image shards from <paramref name="from"/> and version 2 of image shard 10;
    /// returns every entry of the dataset then, as a manifest lists them.
    /// </summary>
    private static async Task<List<string>> AddAndReplaceAsync(Dataset ds, List<ShardEntry> committed, int from, int count)
    {
        await CommitAsync(ds, Enumerable.Range(from, count).Select(i => Entry(i)).Append(Entry(10, version: 2)));
        return committed.Where(e => !(e.Kind == ShardNames.ImagesKind && e.Index == 10))
            .Concat(Enumerable.Range(from, count).Select(i => Entry(i))).Append(Entry(10, version: 2))
            .OrderBy(e => e.Kind, StringComparer.Ordinal).ThenBy(e => e.Index).Select(Json).ToList();
    }

    [Fact]
    public async Task The_reader_keeps_heads_and_holds_whole_entries_only_until_a_checkpoint_stores_them()
    {
        var (ds, committed) = await ImagesAndMasksAsync("heads", 1300);

        var index = await ds.GetIndexAsync();
        var reader = CommitLogReader.For(ds);
        Assert.True(ds.LastCommitLogRead!.CheckpointWritten);
        Assert.Equal(0, reader.EntriesHeld);   // stored in segments: heads only
        Assert.Equal(new[] { ShardNames.ImagesKind, Masks }.Order(StringComparer.Ordinal), index.Kinds);
        Assert.Equal(Enumerable.Range(0, 1300), index.ImageShards.Select(h => h.Index));
        Assert.Equal(ShardHead.Of(Entry(1277)), index.Find(ShardNames.ImagesKind, 1277));
        Assert.Null(index.Find(ShardNames.ImagesKind, 1300));
        Assert.Null(index.Find(Masks, 5));

        // 50 new shards and a replacement (version 2) of shard 10: fewer than a checkpoint's worth, so kept whole.
        var expected = await AddAndReplaceAsync(ds, committed, 1300, 50);
        var next = await ds.GetIndexAsync();
        Assert.False(ds.LastCommitLogRead!.CheckpointWritten);
        Assert.Equal(51, reader.EntriesHeld);
        Assert.Equal(2, next.Find(ShardNames.ImagesKind, 10)!.Value.Version);
        Assert.Equal(1350, next.ImageShards.Count);
        Assert.Equal(1, index.Find(ShardNames.ImagesKind, 10)!.Value.Version);   // an index already handed out does not change
        Assert.Equal(1300, index.ImageShards.Count);

        // Whole entries come back exactly: from segments, from the entries not stored yet, and (block 1's segment
        // deleted) from the commit objects.
        Assert.Equal(expected, (await ds.GetManifestAsync()).Shards.Select(Json).ToList());
        var inc = (await ds.GetManifestMetadataAsync()).CommitIncarnation;
        var deleted = 0;
        await foreach (var item in ds.Storage.ListAsync(ds.KeyOf(CommitKeys.SegmentsFolderOf(inc)) + "images/b000001-"))
        {
            await ds.Storage.DeleteAsync(item.Key);
            deleted++;
        }
        Assert.Equal(2, deleted);   // the segment and its heads file
        Assert.Equal(expected, (await ds.GetManifestAsync()).Shards.Select(Json).ToList());

        // A new process starts from the checkpoint's heads and fetches the rest: the 51 newer objects and block 1's
        // 300, whose segment is gone. That is enough for a checkpoint, after which it holds heads only again.
        CommitLogReader.Forget(ds);
        var fresh = await ds.GetIndexAsync();
        Assert.Equal(next.ImageShards, fresh.ImageShards);
        Assert.Equal(next.ShardsOf(Masks), fresh.ShardsOf(Masks));
        Assert.Equal((351, true), (ds.LastCommitLogRead!.ObjectsRead, ds.LastCommitLogRead.CheckpointWritten));
        Assert.Equal(0, CommitLogReader.For(ds).EntriesHeld);
    }

    [Fact]
    public async Task A_reader_past_its_held_limit_spills_heads_to_a_local_file_and_reads_every_shard_back_exactly()
    {
        var (ds, committed) = await ImagesAndMasksAsync("spill", 2300);
        const long limit = 1000 * 32;   // one block's heads
        CommitLogReader.For(ds).HeadsHeldLimit = limit;

        var index = await ds.GetIndexAsync();
        var reader = CommitLogReader.For(ds);
        Assert.True(reader.HeadsBytes <= limit, $"{reader.HeadsBytes} B of heads held");
        Assert.Equal(2305L * 32, reader.HeadsBytes + reader.HeadsSpilledBytes);
        Assert.Equal(committed.Where(e => e.Kind == ShardNames.ImagesKind).Select(ShardHead.Of), index.ImageShards);
        Assert.Equal(ShardHead.Of(Entry(1999)), index.ImageShards[1999]);
        Assert.Equal(ShardHead.Of(Entry(3, kind: Masks)), index.Find(Masks, 3));
        if (!OperatingSystem.IsWindows()) Assert.False(File.Exists(reader.Spill!.Path));   // unlinked once open

        // New shards and a replacement: the poll copies the blocks they touch out of the spill file, and spills again.
        var expected = await AddAndReplaceAsync(ds, committed, 2300, 40);
        var next = await ds.GetIndexAsync();
        Assert.True(reader.HeadsBytes <= limit);
        Assert.Equal(2, next.Find(ShardNames.ImagesKind, 10)!.Value.Version);
        Assert.Equal(1, index.Find(ShardNames.ImagesKind, 10)!.Value.Version);   // an index already handed out does not change
        Assert.Equal(2340, next.ImageShards.Count);
        Assert.Equal(expected, (await ds.GetManifestAsync()).Shards.Select(Json).ToList());
        Assert.Equal(2340, (await ds.SummarizeAsync())!.ImageShards);

        // A new process spills as it loads the checkpoint's heads files, not after holding them all.
        CommitLogReader.Forget(ds);
        CommitLogReader.For(ds).HeadsHeldLimit = limit;
        var fresh = await ds.GetIndexAsync();
        Assert.True(ds.LastCommitLogRead!.HeadsLoaded > 0);
        Assert.Equal(next.ImageShards, fresh.ImageShards);
        Assert.True(CommitLogReader.For(ds).HeadsBytes <= limit);
    }

    [Fact]
    public async Task A_reader_whose_spill_file_is_mostly_replaced_blocks_moves_the_live_ones_to_a_new_file_and_old_indexes_still_read()
    {
        var ds = await DatasetStore.Open(NewRootUri(), ConnectionString).CreateOrOpenAsync("spill-move");
        await CommitAsync(ds, Enumerable.Range(0, 1200).Select(i => Entry(i)));
        var reader = CommitLogReader.For(ds);
        (reader.HeadsHeldLimit, reader.SpillSlack) = (0, 0);
        var first = await ds.GetIndexAsync();
        var firstSpill = reader.Spill!;
        // Each new version of block 0 leaves its 32 KB spilled before dead in the file; the third one passes twice the live bytes.
        for (var version = 2; version <= 4; version++)
        {
            await CommitAsync(ds, Enumerable.Range(0, 1000).Select(i => Entry(i, version)));
            await ds.GetIndexAsync();
        }
        Assert.NotSame(firstSpill, reader.Spill);
        Assert.Equal(1200L * 32, reader.Spill!.Length);
        var last = await ds.GetIndexAsync();
        Assert.Equal(4, last.Find(ShardNames.ImagesKind, 999)!.Value.Version);
        Assert.Equal(Enumerable.Range(0, 1200).Select(i => ShardHead.Of(Entry(i))), first.ImageShards);   // still read from the old file
    }

    [Fact]
    public async Task A_reader_that_cannot_make_a_spill_file_keeps_its_heads_in_memory_and_reads_on()
    {
        var ds = await DatasetStore.Open(NewRootUri(), ConnectionString).CreateOrOpenAsync("spill-refused");
        await CommitAsync(ds, Enumerable.Range(0, 1200).Select(i => Entry(i)));
        var blocker = Path.Combine(Path.GetTempPath(), $"sseg-not-a-folder-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(blocker, "");
        try
        {
            var reader = CommitLogReader.For(ds);
            (reader.HeadsHeldLimit, reader.SpillFolder) = (0, Path.Combine(blocker, "spill"));
            var index = await ds.GetIndexAsync();
            Assert.Equal(Enumerable.Range(0, 1200).Select(i => ShardHead.Of(Entry(i))), index.ImageShards);
            Assert.Equal((1200L * 32, 0L), (reader.HeadsBytes, reader.HeadsSpilledBytes));
            Assert.Null(reader.Spill);
        }
        finally
        {
            File.Delete(blocker);
        }
    }

    [Fact]
    public async Task A_first_read_of_a_log_without_a_checkpoint_stores_it_as_it_goes_and_keeps_no_whole_entry()
    {
        var ds = await DatasetStore.Open(NewRootUri(), ConnectionString).CreateOrOpenAsync("catchup");
        await CommitAsync(ds, Enumerable.Range(0, 3100).Select(i => Entry(i)), journal: false);

        var index = await ds.GetIndexAsync();
        Assert.Equal(3100, index.ImageShards.Count);
        Assert.Equal((3100, true, 4), (ds.LastCommitLogRead!.ObjectsRead, ds.LastCommitLogRead.CheckpointWritten, ds.LastCommitLogRead.SegmentsWritten));
        Assert.Equal(0, CommitLogReader.For(ds).EntriesHeld);
        Assert.Equal(ShardHead.Of(Entry(3099)), index.Find(ShardNames.ImagesKind, 3099));
    }
}

public sealed class LocalDatasetIndexTests() : DatasetIndexContractTests(new LocalTestRoots("sseg-index"))
{
    /// <summary>
    /// A first read of 21,000 uncheckpointed objects fetches them in chunks of 10,000 and checkpoints after each, so it
    /// never holds them all; the last checkpoint must be the one a new process finds. A read of 10,500 from the journal
    /// checkpoints part-way too (local only: 31,500 objects).
    /// </summary>
    [Fact]
    public async Task A_read_in_chunks_fetches_while_it_lists_and_leaves_a_checkpoint_a_new_process_starts_from()
    {
        var ds = await DatasetStore.Open(NewRootUri()).CreateOrOpenAsync("chunks");
        await CommitAsync(ds, Enumerable.Range(0, 21_000).Select(i => Entry(i)), journal: false);
        Assert.Equal(21_000, (await ds.GetIndexAsync()).ImageShards.Count);
        Assert.Equal((21_000, 0), (ds.LastCommitLogRead!.ObjectsRead, CommitLogReader.For(ds).EntriesHeld));
        // It fetched while it listed: at most two chunks of names were held, not all 21,000.
        Assert.Equal(20_000, CommitLogReader.For(ds).NamesPendingMost);

        CommitLogReader.Forget(ds);
        Assert.Equal(21_000, (await ds.GetIndexAsync()).ImageShards.Count);
        Assert.Equal((21, 0, 0), (ds.LastCommitLogRead!.HeadsLoaded, ds.LastCommitLogRead.SegmentsLoaded, ds.LastCommitLogRead.ObjectsRead));

        // 10,500 new commits, read by a new process from the journal: it checkpoints after its first chunk of 10,000,
        // recording where its journal listing started, since the other 500 are named only there. The next new process
        // starts from that minute and fetches just those 500.
        await CommitAsync(ds, Enumerable.Range(21_000, 10_500).Select(i => Entry(i)));
        CommitLogReader.Forget(ds);
        Assert.Equal(31_500, (await ds.GetIndexAsync()).ImageShards.Count);
        Assert.Equal((true, 10_500, true), (ds.LastCommitLogRead!.StartedFromJournal, ds.LastCommitLogRead.ObjectsRead, ds.LastCommitLogRead.CheckpointWritten));
        CommitLogReader.Forget(ds);
        Assert.Equal(31_500, (await ds.GetIndexAsync()).ImageShards.Count);
        Assert.Equal((true, false, 500), (ds.LastCommitLogRead!.StartedFromJournal, ds.LastCommitLogRead.FullListing, ds.LastCommitLogRead.ObjectsRead));
    }
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobDatasetIndexTests(AzuriteFixture azurite) : DatasetIndexContractTests(new AzuriteTestRoots(azurite))
{
    private readonly AzuriteFixture _azurite = azurite;

    /// <summary>
    /// A reader whose credentials cannot write (a read-only SAS) still reads every shard; its checkpoint fails, so it
    /// keeps the entries it could not store (up to <see cref="CommitLogReader.UnstoredKept"/>) and writes nothing.
    /// </summary>
    [Fact]
    public async Task A_reader_with_read_only_credentials_reads_every_shard_and_keeps_what_it_could_not_store()
    {
        var root = NewRootUri();
        var writable = await DatasetStore.Open(root, _azurite.ConnectionString).CreateOrOpenAsync("readonly");
        var committed = Enumerable.Range(0, 300).Select(i => Entry(i)).ToList();
        await CommitAsync(writable, committed, journal: false);

        var ds = DatasetStore.Open(root, _azurite.ReadOnlyConnectionString()).Dataset("readonly");
        await Assert.ThrowsAnyAsync<Azure.RequestFailedException>(() => ds.Storage.WriteAsync(ds.KeyOf("probe.txt"), new byte[] { 1 }));
        var index = await ds.GetIndexAsync();
        Assert.Equal(Enumerable.Range(0, 300), index.ImageShards.Select(h => h.Index));
        Assert.Equal((300, false), (ds.LastCommitLogRead!.ObjectsRead, ds.LastCommitLogRead.CheckpointWritten));
        Assert.Equal(300, CommitLogReader.For(ds).EntriesHeld);
        Assert.Equal(committed.Select(e => JsonSerializer.Serialize(e)), (await ds.GetManifestAsync()).Shards.Select(e => JsonSerializer.Serialize(e)));
        var inc = (await writable.GetManifestMetadataAsync()).CommitIncarnation;
        Assert.Empty(await writable.Storage.ListAsync(writable.KeyOf(CommitKeys.CheckpointsFolderOf(inc)) + "/").ToListAsync());

        // Past the bound on what it keeps (lowered to 100 here), it drops the entries and reads them back from their
        // commit objects when a view needs them: still every shard, and heads only held.
        CommitLogReader.Forget(ds);
        CommitLogReader.For(ds).UnstoredLimit = 100;
        Assert.Equal(index.ImageShards, (await ds.GetIndexAsync()).ImageShards);
        Assert.Equal((300, false, 0), (ds.LastCommitLogRead!.ObjectsRead, ds.LastCommitLogRead.CheckpointWritten, CommitLogReader.For(ds).EntriesHeld));
        var read = new CommitStreamRead();
        var streamed = await CommitLogStream.ReadAsync(ds, null, 0, default, read).ToListAsync();
        Assert.Equal(committed.Select(e => JsonSerializer.Serialize(e)), streamed.Select(e => JsonSerializer.Serialize(e)));
        Assert.Equal((300, 0), (read.ObjectsFetched, CommitLogReader.For(ds).EntriesHeld));
    }

    /// <summary>
    /// A reader that cannot write the sweep mark (a read-only SAS) cannot leave the sweep to others without knowing
    /// that someone sweeps, so it lists every name for itself every ten minutes; it files nothing.
    /// </summary>
    [Fact]
    public async Task A_reader_with_read_only_credentials_sweeps_for_itself_and_files_nothing()
    {
        var root = NewRootUri();
        var writable = await DatasetStore.Open(root, _azurite.ConnectionString).CreateOrOpenAsync("readonly-sweep");
        await CommitAsync(writable, Enumerable.Range(0, 10).Select(i => Entry(i)));
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var ds = new DatasetStore(StorageFactory.Open(root, _azurite.ReadOnlyConnectionString()), clock).Dataset("readonly-sweep");
        Assert.Equal(10, (await ds.GetIndexAsync()).ImageShards.Count);

        await CommitAsync(writable, [Entry(10)], journal: false);   // its writer died before the journal entry
        clock.Now += TimeSpan.FromSeconds(20);
        Assert.Equal(10, (await ds.GetIndexAsync()).ImageShards.Count);
        Assert.False(ds.LastCommitLogRead!.Swept);
        clock.Now += CommitJournal.SweepEvery;
        Assert.Equal(11, (await ds.GetIndexAsync()).ImageShards.Count);
        Assert.Equal((true, 0), (ds.LastCommitLogRead!.Swept, ds.LastCommitLogRead.JournalEntriesRepaired));
        var inc = (await writable.GetManifestMetadataAsync()).CommitIncarnation;
        Assert.Null(await writable.Storage.GetInfoAsync(writable.KeyOf(CommitKeys.JournalSweepMarkPath(inc))));
    }
}
