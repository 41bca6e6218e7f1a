using SSeg.Shards.Commits;
using static SSeg.Shards.Tests.CheckpointSegmentContractTests;

namespace SSeg.Shards.Tests;

/// <summary>
/// Verify holds about one block of whole entries at a time (<see cref="VerifyRead.MaxEntriesHeld"/>), whatever the
/// dataset's size, and still finds what a whole read finds, also where storage listings interleave blocks (names sort
/// as strings: <c>part-100005</c> comes between <c>part-10000</c> and <c>part-10001</c>). Real backends; commit
/// objects are made directly, as the protocol's own tests do.
/// </summary>
public abstract class VerifyMemoryContractTests(TestRoots roots) : BackendContractTests(roots)
{
    private static readonly string Masks = ShardNames.MasksKind("dino-k8");

    [Fact]
    public async Task Verify_holds_a_block_of_entries_at_a_time_and_finds_damage_and_orphans_in_interleaved_blocks()
    {
        var ds = await DatasetStore.Open(NewRootUri(), ConnectionString).CreateOrOpenAsync("verify-blocks");
        var inc = (await ds.GetManifestMetadataAsync()).CommitIncarnation;
        // Blocks 0-2 (3,000 shards), block 10 and block 100, whose names interleave in a listing, 50 masks, a replacement.
        await CommitAsync(ds, Enumerable.Range(0, 3000).Select(i => Entry(i)), journal: false);
        var interleaved = Enumerable.Range(10_000, 10).Concat(Enumerable.Range(100_000, 10)).ToList();
        await CommitAsync(ds, interleaved.Select(i => Entry(i)).Concat(Enumerable.Range(0, 50).Select(i => Entry(i, kind: Masks))));
        await CommitAsync(ds, [Entry(100_003, version: 2)]);
        CommitLogReader.Forget(ds);
        await ds.GetIndexAsync();
        Assert.True(ds.LastCommitLogRead!.CheckpointWritten);

        // Damage in block 100: a segment entry that differs from its commit object, and a version gap.
        var index = (await CommitCheckpoints.ReadIndexAsync(ds, (await CommitCheckpoints.ListIndexesAsync(ds, inc, default)).Single(), default))!;
        var block100 = index.Segments.Single(s => s.Kind == ShardNames.ImagesKind && s.Block == 100);
        var segment = await CommitCheckpoints.ReadSegmentAsync(ds, block100, default);
        await ds.Storage.WriteAsync(ds.KeyOf(block100.Path),
            ShardJson.SerializeCompact(segment with { Shards = segment.Shards.Select(e => e.Index == 100_005 ? e with { Rows = 99 } : e).ToList() }));
        await CommitAsync(ds, [Entry(100_007, version: 3)], journal: false);

        // Files: those of committed entries belong; the others are orphans, wherever they sort.
        string[] named = ["images/part-10000.parquet", "images/part-10005.parquet", "images/part-100005.parquet", Entry(100_003, version: 2).Path];
        string[] orphans =
        [
            "images/part-1000.parquet", "images/part-100003.parquet", "images/part-100006.r1-x.parquet", "images/part-10006.stats.json",
            $"{Masks}/part-00000.failures.parquet", $"{CommitKeys.CommitsFolder}/0ld/images/part-00001.v000001.json",
        ];
        foreach (var path in named.Concat(orphans)) await ds.Storage.WriteAsync(ds.KeyOf(path), new byte[] { 1 });

        CommitLogReader.Forget(ds);   // a new process, whose first read lists the log and finds the gap
        var read = new VerifyRead();
        var report = await DatasetVerifier.VerifyAsync(ds, checksums: false, null, read, default);

        Assert.Equal(3000 + interleaved.Count + 50, report.ShardsChecked);
        Assert.Equal(report.ShardsChecked, report.Bad.Count);   // the entries name no real files: each is missing or of another size
        Assert.Equal(
            new[]
            {
                $"{block100.Path} (images shards 100000-100999): its totals in the checkpoint index differ from its entries",
                $"{block100.Path} (images shards 100000-100999): its entry for {CommitKeys.CommitPath(inc, ShardNames.ImagesKind, 100_005, 1)} differs from the commit object",
                // The segment changed, its heads file did not.
                $"{block100.HeadsPath}: its heads differ from those of segment {block100.Path}",
                "images part-100007: commit versions 1,3 have a gap",
            }.Order(StringComparer.Ordinal),
            report.ManifestProblem!["commit log: ".Length..].Split("; ").Order(StringComparer.Ordinal));
        Assert.Equal(orphans.Order(StringComparer.Ordinal), report.Orphans);
        // Images blocks 0, 1, 2, 10 and 100 and masks block 0, one at a time: at most a block's commit objects and
        // the segment compared with them, never the dataset's 3,070 entries.
        Assert.Equal(6, read.LogBlocksChecked);
        Assert.InRange(read.MaxEntriesHeld, CheckpointSegment.BlockSize, 2 * CheckpointSegment.BlockSize);
    }
}

public sealed class LocalVerifyMemoryTests() : VerifyMemoryContractTests(new LocalTestRoots("sseg-verify"));

[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobVerifyMemoryTests(AzuriteFixture azurite) : VerifyMemoryContractTests(new AzuriteTestRoots(azurite));
