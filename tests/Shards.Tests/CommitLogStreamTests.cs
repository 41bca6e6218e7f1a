using SSeg.Shards.Commits;
using SSeg.Shards.Storage;
using static SSeg.Shards.Tests.CheckpointSegmentContractTests;

namespace SSeg.Shards.Tests;

/// <summary>
/// Streamed views of a dataset (<see cref="Dataset.StreamShardsAsync"/>, <see cref="Dataset.SummarizeAsync"/>): the same
/// shards and totals as the whole manifest, read one block at a time from the checkpoint's segments plus the entries
/// the process's reader fetched since, with totals of unchanged blocks taken from the checkpoint index alone; a later
/// view polls the journal instead of listing the log again. Real backends.
/// </summary>
public abstract class CommitLogStreamContractTests(TestRoots roots) : BackendContractTests(roots)
{
    private static readonly string Masks = ShardNames.MasksKind("dino-k8");

    /// <summary>
    /// 2,300 image shards (blocks 0-2) with two replaced, 40 mask shards, a checkpoint of all that, then three new
    /// shards in block 2 and a replacement in block 0 that no checkpoint covers. Returns the manifest a new process reads.
    /// </summary>
    private async Task<(Dataset Dataset, DatasetManifest Manifest)> DatasetAfterACheckpointAsync(string name)
    {
        var ds = await DatasetStore.Open(NewRootUri(), ConnectionString).CreateOrOpenAsync(name, source: "cc3m");
        // Each read below is a new process's (Forget), and the commits have no journal entries: the first read has no
        // checkpoint and lists every name; the second starts from its checkpoint's journal minute and, as the
        // dataset's first sweep, also lists every name, which finds the last four commits and files their entries.
        await CommitAsync(ds, Enumerable.Range(0, 2300).Select(i => Entry(i)).Concat(Enumerable.Range(0, 40).Select(i => Entry(i, kind: Masks))), journal: false);
        await CommitAsync(ds, [Entry(5, version: 2), Entry(1500, version: 2)], journal: false);
        CommitLogReader.Forget(ds);
        await ds.GetManifestAsync();
        Assert.True(ds.LastCommitLogRead!.CheckpointWritten);
        await CommitAsync(ds, [Entry(2300), Entry(2301), Entry(2302), Entry(10, version: 2)], journal: false);
        CommitLogReader.Forget(ds);
        var manifest = await ds.GetManifestAsync();
        Assert.Equal((2303, 40), (manifest.ImageShards.Count, manifest.ShardsOf(Masks).Count));
        return (ds, manifest);
    }

    private static async Task<List<ShardEntry>> StreamAsync(Dataset ds, string? kind, int from, CommitStreamRead read)
    {
        var entries = new List<ShardEntry>();
        await foreach (var entry in CommitLogStream.ReadAsync(ds, kind, from, default, read)) entries.Add(entry);
        return entries;
    }

    [Fact]
    public async Task Streaming_gives_what_the_manifest_gives_and_holds_one_block_at_a_time()
    {
        var (ds, manifest) = await DatasetAfterACheckpointAsync("streamed");

        CommitLogReader.Forget(ds);   // a new process: the first view lists the log once
        var read = new CommitStreamRead();
        var all = await StreamAsync(ds, null, 0, read);
        Assert.Equal(manifest.Shards.Select(Json), all.Select(Json));
        Assert.Equal(2, all.Single(e => e.Kind == ShardNames.ImagesKind && e.Index == 10).Version);
        // The reader read the journal from its checkpoint's minute (one minute log, holding the four entries the sweep
        // filed; not the 2,346 commit object names) and fetched only those four commits. Four blocks (images 0-2,
        // masks 0), each from its segment and the reader's four entries: nothing fetched for the entries.
        Assert.Equal((4, true, false), (ds.LastCommitLogRead!.ObjectsRead, ds.LastCommitLogRead.StartedFromJournal, ds.LastCommitLogRead.FullListing));
        Assert.Equal((1L, 4, 0, 1000), (read.NamesListed, read.SegmentsLoaded, read.ObjectsFetched, read.MaxEntriesHeld));

        // A later view polls the journal (its one minute log, which has not grown: nothing read or fetched) and reads
        // blocks 1 and 2 only.
        var fromTwelveHundred = await StreamAsync(ds, ShardNames.ImagesKind, 1200, read = new CommitStreamRead());
        Assert.Equal(manifest.ImageShards.Where(e => e.Index >= 1200).Select(Json), fromTwelveHundred.Select(Json));
        Assert.Equal((1L, 2, 0), (read.NamesListed, read.SegmentsLoaded, read.ObjectsFetched));
        Assert.Equal((false, 0), (ds.LastCommitLogRead!.FullListing, ds.LastCommitLogRead.JournalLogsRead));

        var masks = new List<ShardEntry>();
        await foreach (var entry in ds.StreamShardsAsync(Masks)) masks.Add(entry);
        Assert.Equal(manifest.ShardsOf(Masks).Select(Json), masks.Select(Json));
    }

    [Fact]
    public async Task Totals_take_unchanged_blocks_from_the_checkpoint_index_and_read_only_the_changed_ones()
    {
        var (ds, manifest) = await DatasetAfterACheckpointAsync("totals");

        CommitLogReader.Forget(ds);
        var read = new CommitStreamRead();
        var summary = await CommitLogStream.SummarizeAsync(ds, default, read);
        var expected = DatasetInspector.Summarize(manifest);
        Assert.NotNull(summary);
        Assert.Equal((expected.Name, expected.Source, expected.ImageShards, expected.Rows, expected.Bytes, expected.Failures, expected.UpdatedUtc),
            (summary.Name, summary.Source, summary.ImageShards, summary.Rows, summary.Bytes, summary.Failures, summary.UpdatedUtc));
        Assert.Equal(expected.FailuresByReason.OrderBy(p => p.Key), summary.FailuresByReason.OrderBy(p => p.Key));
        Assert.Equal(expected.MaskShardsByGenerator.OrderBy(p => p.Key), summary.MaskShardsByGenerator.OrderBy(p => p.Key));
        Assert.Equal([new KeyValuePair<string, int>("dino-k8", 40)], summary.MaskShardsByGenerator);
        // Image block 1 and mask block 0 are unchanged since the checkpoint: their totals come from its index. Blocks
        // 0 and 2 are read: their segments, and the reader's entries of the four newer commits.
        Assert.Equal((2, 2, 0), (read.BlocksFromIndex, read.SegmentsLoaded, read.ObjectsFetched));

        Assert.Null(await new DatasetStore(ds.Storage).Dataset("absent").SummarizeAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(async () => { await foreach (var _ in new DatasetStore(ds.Storage).Dataset("absent").StreamShardsAsync()) { } });
    }
}

public sealed class LocalCommitLogStreamTests() : CommitLogStreamContractTests(new LocalTestRoots("sseg-stream"));

[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobCommitLogStreamTests(AzuriteFixture azurite) : CommitLogStreamContractTests(new AzuriteTestRoots(azurite));
