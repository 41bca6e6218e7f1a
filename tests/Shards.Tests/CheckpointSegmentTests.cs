using System.Text.Json;
using SSeg.Shards.Commits;
using SSeg.Shards.Storage;

namespace SSeg.Shards.Tests;

/// <summary>
/// Checkpoints in segments of 1,000 shards: a checkpoint stores only the blocks that changed, a new reader loads the
/// segments, a missing or damaged segment costs fetches and never shards, verify checks segments and their totals,
/// and old unreferenced segments are deleted. Storage is the real backend; commit objects are made directly, as the
/// protocol's own tests do, so a few thousand shards stay quick.
/// </summary>
public abstract class CheckpointSegmentContractTests(TestRoots roots) : BackendContractTests(roots)
{
    internal static ShardEntry Entry(int index, int version = 1, string kind = ShardNames.ImagesKind) => new()
    {
        Kind = kind, Index = index, Version = version, Path = ShardNames.DataPath(kind, index) + (version > 1 ? $".v{version}" : ""),
        Rows = 10 + index % 7, Bytes = 1000 + index, Sha256 = new string('a', 64), Failures = index % 3,
        FailuresByReason = index % 3 == 0 ? null : new Dictionary<string, long> { ["http_404"] = index % 3 },
        CommittedUtc = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(index + version),
    };

    /// <summary>
    /// Commits <paramref name="entries"/>; without <paramref name="journal"/> only their commit objects are written
    /// (half the requests), which a new reader's full listing finds but a poll does not.
    /// </summary>
    internal static async Task CommitAsync(Dataset ds, IEnumerable<ShardEntry> entries, bool journal = true)
    {
        var inc = (await ds.GetManifestMetadataAsync()).CommitIncarnation;
        await Parallel.ForEachAsync(entries, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (e, ct) =>
        {
            if (journal) Assert.True(await ds.Commits.TryCreateAsync(inc, e, null, ct));
            else Assert.NotNull(await ds.Storage.TryWriteIfVersionAsync(ds.KeyOf(CommitKeys.CommitPath(inc, e.Kind, e.Index, e.Version)),
                ShardJson.Serialize(new ShardCommitObject { Entry = e }), null, ct));
        });
    }

    private static List<string> Puts(CountingStorage storage, string fragment) =>
        storage.Calls.Where(c => c.Call == "put" && c.Key.Contains(fragment, StringComparison.Ordinal)).Select(c => c.Key).ToList();

    [Fact]
    public async Task A_checkpoint_stores_only_the_segments_of_blocks_that_changed_and_a_new_reader_loads_them()
    {
        var storage = new CountingStorage(StorageFactory.Open(NewRootUri(), ConnectionString));
        var ds = await new DatasetStore(storage).CreateOrOpenAsync("blocks");
        await CommitAsync(ds, Enumerable.Range(0, 1500).Select(i => Entry(i)));

        storage.Clear();
        Assert.Equal(1500, (await ds.GetManifestAsync()).ImageShards.Count);
        Assert.Equal((true, 2), (ds.LastCommitLogRead!.CheckpointWritten, ds.LastCommitLogRead.SegmentsWritten));
        Assert.Equal(2, Puts(storage, "/segments/images/").Count(k => k.EndsWith(".json", StringComparison.Ordinal)));   // blocks 0 and 1
        Assert.Equal(2, Puts(storage, "/segments/images/").Count(k => k.EndsWith(".heads", StringComparison.Ordinal)));   // and their heads

        // 200 new shards (over a tenth of the log: enough for a checkpoint), all in block 1: the next checkpoint stores
        // block 1 again and refers to block 0 as it is.
        await CommitAsync(ds, Enumerable.Range(1500, 200).Select(i => Entry(i)));
        storage.Clear();
        Assert.Equal(1700, (await ds.GetManifestAsync()).ImageShards.Count);
        Assert.Equal((true, 1), (ds.LastCommitLogRead!.CheckpointWritten, ds.LastCommitLogRead.SegmentsWritten));
        var segmentPuts = Puts(storage, "/segments/");
        Assert.Equal(2, segmentPuts.Count);
        Assert.All(segmentPuts, k => Assert.Contains("/segments/images/b000001-", k));
        Assert.Single(Puts(storage, "/cp-"));

        // A new process starts from the two blocks' heads files and fetches nothing; the manifest then reads the segments.
        CommitLogReader.Forget(ds);
        var manifest = await ds.GetManifestAsync();
        Assert.Equal(Enumerable.Range(0, 1700), manifest.ImageShards.Select(s => s.Index));
        Assert.Equal((true, 2, 0, 0), (ds.LastCommitLogRead!.CheckpointLoaded, ds.LastCommitLogRead.HeadsLoaded, ds.LastCommitLogRead.SegmentsLoaded,
            ds.LastCommitLogRead.ObjectsRead));
        Assert.Equal(Json(Entry(1234)), Json(manifest.Find(ShardNames.ImagesKind, 1234)!));
        // The entries name no real files here, so only the log's half of verify applies.
        var report = await ds.VerifyAsync();
        Assert.Null(report.ManifestProblem);
        Assert.Empty(report.Orphans);
    }

    /// <summary>The keys of <paramref name="ds"/>'s checkpoint segments (<c>.json</c>) or heads files (<c>.heads</c>).</summary>
    private static async Task<List<string>> StoredAsync(Dataset ds, string suffix)
    {
        var inc = (await ds.GetManifestMetadataAsync()).CommitIncarnation;
        var keys = new List<string>();
        await foreach (var item in ds.Storage.ListAsync(ds.KeyOf(CommitKeys.SegmentsFolderOf(inc))))
            if (item.Key.EndsWith(suffix, StringComparison.Ordinal)) keys.Add(item.Key);
        return keys;
    }

    [Fact]
    public async Task A_missing_or_damaged_segment_costs_fetches_not_shards_and_verify_names_it()
    {
        var store = DatasetStore.Open(NewRootUri(), ConnectionString);
        var ds = await store.CreateOrOpenAsync("damaged-segments");
        var masks = ShardNames.MasksKind("dino-k8");
        await CommitAsync(ds, Enumerable.Range(0, 150).Select(i => Entry(i)).Concat(Enumerable.Range(0, 120).Select(i => Entry(i, kind: masks))));
        await ds.GetManifestAsync();
        Assert.True(ds.LastCommitLogRead!.CheckpointWritten);
        var segments = await StoredAsync(ds, ".json");
        Assert.Equal(2, segments.Count);
        var imagesSegment = segments.Single(k => k.Contains("/segments/images/", StringComparison.Ordinal));
        var masksSegment = segments.Single(k => k.Contains("/segments/masks/dino-k8/", StringComparison.Ordinal));
        // The images block loses its segment and heads file; the masks block keeps a sound heads file but not its segment.
        await store.Storage.DeleteAsync(imagesSegment);
        await store.Storage.DeleteAsync(CommitKeys.HeadsPathOf(imagesSegment));
        await store.Storage.WriteAsync(masksSegment, "{\"kind\": \"masks/dino-k8\", \"block\": 0, \"shards\": [tru"u8.ToArray());

        var report = await ds.VerifyAsync();
        Assert.False(report.Ok);
        Assert.Contains($"(images shards 0-999): Checkpoint segment {store.Storage.RootUri}/{imagesSegment} is gone", report.ManifestProblem);
        Assert.Contains("(masks/dino-k8 shards 0-999): Checkpoint segment", report.ManifestProblem);
        Assert.Contains("is not valid JSON", report.ManifestProblem);

        // A new process fetches the images block's objects (nothing else has their heads) and takes the masks heads
        // from the heads file; its checkpoint stores the images block again.
        CommitLogReader.Forget(ds);
        var manifest = await ds.GetManifestAsync();
        Assert.Equal((150, 120), (manifest.ImageShards.Count, manifest.ShardsOf(masks).Count));
        var first = ds.LastCommitLogRead!;
        Assert.Equal((true, 1, 0, 150), (first.CheckpointLoaded, first.HeadsLoaded, first.SegmentsLoaded, first.ObjectsRead));
        Assert.Equal((true, 1), (first.CheckpointWritten, first.SegmentsWritten));
        // Reading the masks entries found their segment damaged and fetched them: the next poll stores the block again
        // from what that read kept, fetching nothing more.
        Assert.Equal(120, (await ds.GetIndexAsync()).ShardsOf(masks).Count);
        Assert.Equal((true, 1, 0), (ds.LastCommitLogRead!.CheckpointWritten, ds.LastCommitLogRead.SegmentsWritten, ds.LastCommitLogRead.ObjectsRead));
        var streamed = new List<ShardEntry>();
        await foreach (var entry in ds.StreamShardsAsync()) streamed.Add(entry);
        Assert.Equal(manifest.Shards.Select(Json), streamed.Select(Json));

        CommitLogReader.Forget(ds);
        Assert.Equal(manifest.Shards.Select(Json), (await ds.GetManifestAsync()).Shards.Select(Json));
        Assert.Equal((2, 0, 0), (ds.LastCommitLogRead!.HeadsLoaded, ds.LastCommitLogRead.SegmentsLoaded, ds.LastCommitLogRead.ObjectsRead));
    }

    [Fact]
    public async Task A_new_process_builds_its_index_and_totals_from_heads_files_without_reading_a_segment()
    {
        var storage = new CountingStorage(StorageFactory.Open(NewRootUri(), ConnectionString));
        var ds = await new DatasetStore(storage).CreateOrOpenAsync("heads");
        var masks = ShardNames.MasksKind("dino-k8");
        // Committed after the dataset was created, so that its update time is the newest commit's, from the checkpoint.
        var later = DateTimeOffset.UtcNow.AddDays(1);
        var entries = Enumerable.Range(0, 150).Concat(Enumerable.Range(1000, 150)).Concat(Enumerable.Range(2000, 100)).Select(i => Entry(i))
            .Concat(Enumerable.Range(0, 100).Concat(Enumerable.Range(1000, 50)).Select(i => Entry(i, kind: masks)))
            .Select(e => e with { CommittedUtc = later.AddSeconds(e.Index) }).ToList();
        await CommitAsync(ds, entries);
        var expected = await ds.SummarizeAsync();
        Assert.True(ds.LastCommitLogRead!.CheckpointWritten);
        Assert.Equal(5, (await StoredAsync(ds, ".heads")).Count);

        CommitLogReader.Forget(ds);
        storage.Clear();
        var summary = await ds.SummarizeAsync();
        Assert.Equal(expected, summary! with { FailuresByReason = expected!.FailuresByReason, MaskShardsByGenerator = expected.MaskShardsByGenerator });
        Assert.Equal(expected.FailuresByReason, summary.FailuresByReason);
        Assert.Equal(expected.MaskShardsByGenerator, summary.MaskShardsByGenerator);
        Assert.Equal((400, entries.Where(e => e.Kind == ShardNames.ImagesKind).Sum(e => e.Rows)), (summary.ImageShards, summary.Rows));
        Assert.Equal((5, 0, 0), (ds.LastCommitLogRead!.HeadsLoaded, ds.LastCommitLogRead.SegmentsLoaded, ds.LastCommitLogRead.ObjectsRead));
        var gets = storage.Calls.Where(c => c.Call == "get" && c.Key.Contains("/segments/", StringComparison.Ordinal)).Select(c => c.Key).ToList();
        Assert.Equal(5, gets.Count);
        Assert.All(gets, k => Assert.EndsWith(".heads", k));

        var index = await ds.GetIndexAsync();
        Assert.Equal(entries.Where(e => e.Kind == masks).Select(ShardHead.Of), index.ShardsOf(masks).ToArray());
        Assert.Equal(entries.Where(e => e.Kind == ShardNames.ImagesKind).Select(ShardHead.Of), index.ImageShards.ToArray());
        Assert.Equal(entries.Max(e => e.CommittedUtc), index.UpdatedUtc);
        Assert.Equal(index.UpdatedUtc, summary.UpdatedUtc);
    }

    [Fact]
    public async Task A_heads_file_that_is_gone_damaged_or_disagrees_is_passed_over_for_its_segment_and_verify_names_it()
    {
        var store = DatasetStore.Open(NewRootUri(), ConnectionString);
        var ds = await store.CreateOrOpenAsync("bad-heads");
        var entries = new[] { 0, 1000, 2000, 3000 }.SelectMany(b => Enumerable.Range(b, 100)).Select(i => Entry(i)).ToList();
        await CommitAsync(ds, entries);
        await ds.GetIndexAsync();
        var heads = (await StoredAsync(ds, ".heads")).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(4, heads.Count);
        await store.Storage.DeleteAsync(heads[0]);
        await store.Storage.WriteAsync(heads[1], "not heads"u8.ToArray());
        await store.Storage.WriteAsync(heads[2], SegmentHeads.Encode(entries.Where(e => e.Index is >= 2000 and < 3000).Select(e => e with { Rows = e.Rows + 1 }).ToList()));

        var problem = (await ds.VerifyAsync()).ManifestProblem;
        Assert.Contains($"Segment heads file {store.Storage.RootUri}/{heads[0]} is gone", problem);
        Assert.Contains($"Segment heads file {store.Storage.RootUri}/{heads[1]} is not a segment heads file", problem);
        Assert.Contains("its heads differ from those of segment", problem);
        Assert.DoesNotContain(Path.GetFileName(heads[3]), problem);

        CommitLogReader.Forget(ds);
        var index = await ds.GetIndexAsync();
        Assert.Equal((1, 3, 0), (ds.LastCommitLogRead!.HeadsLoaded, ds.LastCommitLogRead.SegmentsLoaded, ds.LastCommitLogRead.ObjectsRead));
        Assert.Equal(entries.Select(ShardHead.Of), index.ImageShards.ToArray());

        // Its next checkpoint (after 100 new shards in another block) writes the three heads files again.
        await CommitAsync(ds, Enumerable.Range(4000, 100).Select(i => Entry(i)));
        await ds.GetIndexAsync();
        Assert.True(ds.LastCommitLogRead!.CheckpointWritten);
        Assert.Null((await ds.VerifyAsync()).ManifestProblem);
        CommitLogReader.Forget(ds);
        Assert.Equal(500, (await ds.GetIndexAsync()).ImageShards.Count);
        Assert.Equal((5, 0, 0), (ds.LastCommitLogRead!.HeadsLoaded, ds.LastCommitLogRead.SegmentsLoaded, ds.LastCommitLogRead.ObjectsRead));
    }

    [Fact]
    public async Task A_checkpoint_written_before_heads_files_existed_loads_from_its_segments_and_the_next_one_adds_them()
    {
        var store = DatasetStore.Open(NewRootUri(), ConnectionString);
        var ds = await store.CreateOrOpenAsync("no-heads");
        var entries = Enumerable.Range(0, 100).Concat(Enumerable.Range(1000, 100)).Select(i => Entry(i)).ToList();
        await CommitAsync(ds, entries);
        await ds.GetIndexAsync();
        var inc = (await ds.GetManifestMetadataAsync()).CommitIncarnation;
        var path = (await CommitCheckpoints.ListIndexesAsync(ds, inc, default)).Single();
        var checkpoint = (await CommitCheckpoints.ReadIndexAsync(ds, path, default))!;
        Assert.All(checkpoint.Segments, s => Assert.NotNull(s.HeadsPath));
        await store.Storage.WriteAsync(ds.KeyOf(path), ShardJson.SerializeCompact(checkpoint with
        {
            Segments = checkpoint.Segments.Select(s => s with { HeadsPath = null }).ToList(),
        }));

        CommitLogReader.Forget(ds);
        Assert.Equal(entries.Select(ShardHead.Of), (await ds.GetIndexAsync()).ImageShards.ToArray());
        Assert.Equal((0, 2, 0), (ds.LastCommitLogRead!.HeadsLoaded, ds.LastCommitLogRead.SegmentsLoaded, ds.LastCommitLogRead.ObjectsRead));
        Assert.Null((await ds.VerifyAsync()).ManifestProblem);

        // The next checkpoint (after 100 new shards in another block) adds the heads files of the two blocks; their
        // segments keep their names and are not written again.
        await CommitAsync(ds, Enumerable.Range(2000, 100).Select(i => Entry(i)));
        await ds.GetIndexAsync();
        Assert.Equal((true, 1), (ds.LastCommitLogRead!.CheckpointWritten, ds.LastCommitLogRead.SegmentsWritten));
        CommitLogReader.Forget(ds);
        Assert.Equal(300, (await ds.GetIndexAsync()).ImageShards.Count);
        Assert.Equal((3, 0, 0), (ds.LastCommitLogRead!.HeadsLoaded, ds.LastCommitLogRead.SegmentsLoaded, ds.LastCommitLogRead.ObjectsRead));
    }

    [Fact]
    public async Task Verify_reports_a_segment_whose_entry_or_totals_disagree_with_the_commit_objects()
    {
        var store = DatasetStore.Open(NewRootUri(), ConnectionString);
        var ds = await store.CreateOrOpenAsync("tampered-segment");
        await CommitAsync(ds, Enumerable.Range(0, 120).Select(i => Entry(i)));
        await ds.GetManifestAsync();
        var inc = (await ds.GetManifestMetadataAsync()).CommitIncarnation;
        var indexPath = (await CommitCheckpoints.ListIndexesAsync(ds, inc, default)).Single();
        var index = (await CommitCheckpoints.ReadIndexAsync(ds, indexPath, default))!;
        var segment = await CommitCheckpoints.ReadSegmentAsync(ds, index.Segments[0], default);
        var tampered = segment with { Shards = segment.Shards.Select(e => e.Index == 7 ? e with { Rows = 99 } : e).ToList() };
        await store.Storage.WriteAsync(ds.KeyOf(index.Segments[0].Path), ShardJson.SerializeCompact(tampered));

        var report = await ds.VerifyAsync();
        Assert.False(report.Ok);
        Assert.Contains("its totals in the checkpoint index differ from its entries", report.ManifestProblem);
        Assert.Contains($"{index.Segments[0].HeadsPath}: its heads differ from those of segment {index.Segments[0].Path}", report.ManifestProblem);
        Assert.Contains($"its entry for {CommitKeys.CommitPath(inc, ShardNames.ImagesKind, 7, 1)} differs from the commit object", report.ManifestProblem);
    }

    [Fact]
    public async Task A_checkpoint_writer_deletes_segments_no_kept_index_names_once_they_are_an_hour_old()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var storage = new CountingStorage(StorageFactory.Open(NewRootUri(), ConnectionString));
        var ds = await new DatasetStore(storage, clock).CreateOrOpenAsync("segment-gc");
        var inc = (await ds.GetManifestMetadataAsync()).CommitIncarnation;
        async Task<List<string>> SegmentsAsync()
        {
            var keys = new List<string>();
            await foreach (var item in storage.ListAsync(ds.KeyOf(CommitKeys.SegmentsFolderOf(inc)))) keys.Add(item.Key);
            return keys;
        }

        // Four checkpoints, each after 100 new shards of block 0: four versions of its segment.
        for (var round = 0; round < 4; round++)
        {
            await CommitAsync(ds, Enumerable.Range(round * 100, 100).Select(i => Entry(i)));
            await ds.GetManifestAsync();
            Assert.True(ds.LastCommitLogRead!.CheckpointWritten, $"round {round}: {ds.LastCommitLogRead}");
        }
        Assert.Equal(8, (await SegmentsAsync()).Count);   // 4 segments and their heads: the two older pairs are unnamed but young (a writer beside may be about to name them)

        clock.Now = DateTimeOffset.UtcNow.Add(CommitCheckpoints.SegmentGrace).AddMinutes(5);
        await CommitAsync(ds, Enumerable.Range(400, 100).Select(i => Entry(i)));
        storage.Clear();
        Assert.Equal(500, (await ds.GetManifestAsync()).ImageShards.Count);
        Assert.True(ds.LastCommitLogRead!.CheckpointWritten);
        // Left: the segments and heads files of the two kept indexes (rounds 4 and 5).
        var indexes = await CommitCheckpoints.ListIndexesAsync(ds, inc, default);
        Assert.Equal(2, indexes.Count);
        var named = new List<string>();
        foreach (var path in indexes)
            named.AddRange((await CommitCheckpoints.ReadIndexAsync(ds, path, default))!.Segments.SelectMany(s => new[] { ds.KeyOf(s.Path), ds.KeyOf(s.HeadsPath!) }));
        Assert.Equal(4, named.Count);
        Assert.Equal(named.Order(StringComparer.Ordinal), (await SegmentsAsync()).Order(StringComparer.Ordinal));
        Assert.Equal(6, storage.Calls.Count(c => c.Call == "delete" && c.Key.Contains("/segments/", StringComparison.Ordinal)));
        var report = await ds.VerifyAsync();
        Assert.Null(report.ManifestProblem);
        Assert.Empty(report.Orphans);
    }

    [Fact]
    public async Task A_reader_stores_again_an_unchanged_block_whose_segment_was_deleted_since_it_last_saw_it()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var storage = new CountingStorage(StorageFactory.Open(NewRootUri(), ConnectionString));
        var ds = await new DatasetStore(storage, clock).CreateOrOpenAsync("segment-gone");
        await CommitAsync(ds, Enumerable.Range(0, 150).Concat(Enumerable.Range(1000, 150)).Select(i => Entry(i)));
        await ds.GetManifestAsync();
        Assert.Equal((true, 2), (ds.LastCommitLogRead!.CheckpointWritten, ds.LastCommitLogRead.SegmentsWritten));
        var inc = (await ds.GetManifestMetadataAsync()).CommitIncarnation;
        var index = (await CommitCheckpoints.ReadIndexAsync(ds, (await CommitCheckpoints.ListIndexesAsync(ds, inc, default)).Single(), default))!;
        var blockZero = index.Segments.Single(s => s.Block == 0).Path;
        await storage.DeleteAsync(ds.KeyOf(blockZero));   // as another writer's collection would, once no kept index names it

        // 11 minutes on, new shards in block 1 only: block 0 is unchanged, but its segment is checked and stored again.
        clock.Now = clock.Now.AddMinutes(11);
        await CommitAsync(ds, Enumerable.Range(1150, 100).Select(i => Entry(i)));
        storage.Clear();
        Assert.Equal(400, (await ds.GetManifestAsync()).ImageShards.Count);
        Assert.Equal((true, 2), (ds.LastCommitLogRead!.CheckpointWritten, ds.LastCommitLogRead.SegmentsWritten));
        Assert.Contains(("probe", ds.KeyOf(blockZero)), storage.Calls);
        Assert.Contains(("put", ds.KeyOf(blockZero)), storage.Calls);   // the same content, so the same name
        Assert.Contains(("put", ds.KeyOf(CommitKeys.HeadsPathOf(blockZero))), storage.Calls);

        CommitLogReader.Forget(ds);
        await ds.GetManifestAsync();
        Assert.Equal((2, 0, 0), (ds.LastCommitLogRead!.HeadsLoaded, ds.LastCommitLogRead.SegmentsLoaded, ds.LastCommitLogRead.ObjectsRead));
        Assert.Null((await ds.VerifyAsync()).ManifestProblem);
    }

    internal static string Json(ShardEntry entry) => JsonSerializer.Serialize(entry, ShardJson.Options);
}

public sealed class LocalCheckpointSegmentTests() : CheckpointSegmentContractTests(new LocalTestRoots("sseg-segments"));

[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobCheckpointSegmentTests(AzuriteFixture azurite) : CheckpointSegmentContractTests(new AzuriteTestRoots(azurite));
