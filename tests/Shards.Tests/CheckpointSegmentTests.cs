using System.Text.Json;
using SSeg.Shards.Commits;
using SSeg.Shards.Storage;
using SSeg.Tests.Common;

namespace SSeg.Shards.Tests;

/// <summary>
/// Checkpoints in segments of 1,000 shards: a checkpoint stores only the blocks that changed, a new reader loads the
/// segments, a missing or damaged segment costs fetches and never shards, verify checks segments and their totals,
/// and old unreferenced segments are deleted. Storage is the real backend; commit objects are made directly, as the
/// protocol's own tests do, so a few thousand shards stay quick.
/// </summary>
public abstract class CheckpointSegmentContractTests
{
    protected abstract string NewRootUri();
    protected abstract string? ConnectionString { get; }

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
        Assert.Equal(2, Puts(storage, "/segments/images/").Count);   // blocks 0 and 1

        // 200 new shards (over a tenth of the log: enough for a checkpoint), all in block 1: the next checkpoint stores
        // block 1 again and refers to block 0 as it is.
        await CommitAsync(ds, Enumerable.Range(1500, 200).Select(i => Entry(i)));
        storage.Clear();
        Assert.Equal(1700, (await ds.GetManifestAsync()).ImageShards.Count);
        Assert.Equal((true, 1), (ds.LastCommitLogRead!.CheckpointWritten, ds.LastCommitLogRead.SegmentsWritten));
        var segmentPuts = Puts(storage, "/segments/");
        Assert.Single(segmentPuts);
        Assert.Contains("/segments/images/b000001-", segmentPuts[0]);
        Assert.Single(Puts(storage, "/cp-"));

        // A new process starts from the two segments and fetches nothing.
        CommitLogReader.Forget(ds);
        var manifest = await ds.GetManifestAsync();
        Assert.Equal(Enumerable.Range(0, 1700), manifest.ImageShards.Select(s => s.Index));
        Assert.Equal((true, 2, 0), (ds.LastCommitLogRead!.CheckpointLoaded, ds.LastCommitLogRead.SegmentsLoaded, ds.LastCommitLogRead.ObjectsRead));
        Assert.Equal(Json(Entry(1234)), Json(manifest.Find(ShardNames.ImagesKind, 1234)!));
        // The entries name no real files here, so only the log's half of verify applies.
        var report = await ds.VerifyAsync();
        Assert.Null(report.ManifestProblem);
        Assert.Empty(report.Orphans);
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
        var inc = (await ds.GetManifestMetadataAsync()).CommitIncarnation;
        var segments = new List<string>();
        await foreach (var item in store.Storage.ListAsync(ds.KeyOf(CommitKeys.SegmentsFolderOf(inc)))) segments.Add(item.Key);
        Assert.Equal(2, segments.Count);
        var imagesSegment = segments.Single(k => k.Contains("/segments/images/", StringComparison.Ordinal));
        var masksSegment = segments.Single(k => k.Contains("/segments/masks/dino-k8/", StringComparison.Ordinal));
        await store.Storage.DeleteAsync(imagesSegment);
        await store.Storage.WriteAsync(masksSegment, "{\"kind\": \"masks/dino-k8\", \"block\": 0, \"shards\": [tru"u8.ToArray());

        var report = await ds.VerifyAsync();
        Assert.False(report.Ok);
        Assert.Contains($"(images shards 0-999): Checkpoint segment {store.Storage.RootUri}/{imagesSegment} is gone", report.ManifestProblem);
        Assert.Contains("(masks/dino-k8 shards 0-999): Checkpoint segment", report.ManifestProblem);
        Assert.Contains("is not valid JSON", report.ManifestProblem);

        CommitLogReader.Forget(ds);
        var manifest = await ds.GetManifestAsync();
        Assert.Equal((150, 120), (manifest.ImageShards.Count, manifest.ShardsOf(masks).Count));
        Assert.Equal((true, 0, 270), (ds.LastCommitLogRead!.CheckpointLoaded, ds.LastCommitLogRead.SegmentsLoaded, ds.LastCommitLogRead.ObjectsRead));
        // The reader stored both blocks again with its own checkpoint, and verify is clean once the damaged index is gone.
        Assert.Equal((true, 2), (ds.LastCommitLogRead.CheckpointWritten, ds.LastCommitLogRead.SegmentsWritten));
        var streamed = new List<ShardEntry>();
        await foreach (var entry in ds.StreamShardsAsync()) streamed.Add(entry);
        Assert.Equal(manifest.Shards.Select(Json), streamed.Select(Json));
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
        Assert.Equal(4, (await SegmentsAsync()).Count);   // the two older ones are unnamed but young: a writer beside may be about to name them

        clock.Now = DateTimeOffset.UtcNow.Add(CommitCheckpoints.SegmentGrace).AddMinutes(5);
        await CommitAsync(ds, Enumerable.Range(400, 100).Select(i => Entry(i)));
        storage.Clear();
        Assert.Equal(500, (await ds.GetManifestAsync()).ImageShards.Count);
        Assert.True(ds.LastCommitLogRead!.CheckpointWritten);
        // Left: the segments of the two kept indexes (rounds 4 and 5).
        var indexes = await CommitCheckpoints.ListIndexesAsync(ds, inc, default);
        Assert.Equal(2, indexes.Count);
        var named = new List<string>();
        foreach (var path in indexes) named.AddRange((await CommitCheckpoints.ReadIndexAsync(ds, path, default))!.Segments.Select(s => ds.KeyOf(s.Path)));
        Assert.Equal(named.Order(StringComparer.Ordinal), (await SegmentsAsync()).Order(StringComparer.Ordinal));
        Assert.Equal(3, storage.Calls.Count(c => c.Call == "delete" && c.Key.Contains("/segments/", StringComparison.Ordinal)));
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

        CommitLogReader.Forget(ds);
        await ds.GetManifestAsync();
        Assert.Equal((2, 0), (ds.LastCommitLogRead!.SegmentsLoaded, ds.LastCommitLogRead.ObjectsRead));
        Assert.Null((await ds.VerifyAsync()).ManifestProblem);
    }

    internal static string Json(ShardEntry entry) => JsonSerializer.Serialize(entry, ShardJson.Options);
}

public sealed class LocalCheckpointSegmentTests : CheckpointSegmentContractTests, IDisposable
{
    private readonly string _root = RepoPaths.NewTempDir("sseg-segments");
    protected override string NewRootUri() => Path.Combine(_root, Guid.NewGuid().ToString("N"));
    protected override string? ConnectionString => null;
    public void Dispose() => Directory.Delete(_root, recursive: true);
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobCheckpointSegmentTests(AzuriteFixture azurite) : CheckpointSegmentContractTests
{
    protected override string NewRootUri() => azurite.NewRootUri();
    protected override string? ConnectionString => azurite.ConnectionString;
}
