using SSeg.Shards.Commits;
using SSeg.Shards.Storage;

namespace SSeg.Shards.Tests;

/// <summary>The per-shard commit log: constant-cost commits, checkpoints, incremental reads, old datasets, verify.</summary>
public abstract class CommitLogContractTests(TestRoots roots) : BackendContractTests(roots)
{
    private DatasetStore NewStore() => DatasetStore.Open(NewRootUri(), ConnectionString);

    private static ShardEntry Entry(int index, int version = 1) => new()
    {
        Kind = ShardNames.ImagesKind, Index = index, Version = version, Path = ShardNames.DataPath(ShardNames.ImagesKind, index),
        Rows = 1, Bytes = 10, Sha256 = new string('a', 64), CommittedUtc = DateTimeOffset.UtcNow,
    };

    [Fact]
    public async Task A_commit_adds_one_commit_object_and_never_rewrites_dataset_json()
    {
        var store = NewStore();
        var ds = await store.CreateOrOpenAsync("constant", "test", "h");
        var before = await store.Storage.ReadVersionedAsync(ds.KeyOf(ShardNames.ManifestFile));
        for (var i = 0; i < 3; i++) await TestRows.WriteImageShardAsync(ds, i, rows: 1);
        var after = await store.Storage.ReadVersionedAsync(ds.KeyOf(ShardNames.ManifestFile));
        Assert.Equal(before!.Version, after!.Version);
        var commits = new List<string>();
        await foreach (var item in store.Storage.ListAsync(ds.Prefix + "/_commits/")) commits.Add(item.Key[(ds.Prefix.Length + 1)..]);
        var incarnation = (await ds.GetManifestAsync()).Incarnation;
        Assert.Matches("^[0-9a-f]{12}$", incarnation);
        Assert.Equal(Enumerable.Range(0, 3).Select(i => $"_commits/{incarnation}/images/part-0000{i}.v000001.json"), commits);
        var manifest = await ds.GetManifestAsync();
        Assert.Equal([0, 1, 2], manifest.ImageShards.Select(s => s.Index));
        Assert.All(manifest.ImageShards, s => Assert.Equal(1, s.Version));
        Assert.Equal("h", manifest.ConfigHash);

        // The writer's input fingerprint travels in the commit object (what a rebuild compares).
        await using (var writer = await ds.CreateImageShardWriterAsync(3))
        {
            await writer.AddAsync(TestRows.Image(3, 0));
            writer.InputFingerprint = "slice-3-abc";
            await writer.CommitAsync();
        }
        Assert.Equal("slice-3-abc", (await ds.FindCommittedAsync("images", 3))!.InputFingerprint);
        Assert.Null((await ds.FindCommittedAsync("images", 0))!.InputFingerprint);
    }

    [Fact]
    public async Task Readers_start_from_a_checkpoint_and_then_fetch_only_new_commit_objects()
    {
        var store = NewStore();
        var ds = await store.CreateOrOpenAsync("checkpoints");
        var inc = (await ds.GetManifestAsync()).CommitIncarnation;
        var count = CommitLogReader.CheckpointEvery + 5;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, ct) => Assert.True(await ds.Commits.TryCreateAsync(inc, Entry(i), null, ct)));

        CommitLogReader.Forget(ds);   // a new process: no checkpoint yet, every object fetched, then a checkpoint written
        Assert.Equal(count, (await ds.GetManifestAsync()).ImageShards.Count);
        var first = ds.LastCommitLogRead!;
        Assert.Equal((count, count, false, true), (first.CommitObjects, first.ObjectsRead, first.CheckpointLoaded, first.CheckpointWritten));

        CommitLogReader.Forget(ds);   // the next new process starts from that checkpoint
        Assert.Equal(count, (await ds.GetManifestAsync()).ImageShards.Count);
        var second = ds.LastCommitLogRead!;
        Assert.Equal((count, 0, true), (second.CommitObjects, second.ObjectsRead, second.CheckpointLoaded));

        // A poll in the same process fetches only what changed: two new shards and one replacement.
        Assert.True(await ds.Commits.TryCreateAsync(inc, Entry(count), null, default));
        Assert.True(await ds.Commits.TryCreateAsync(inc, Entry(count + 1), null, default));
        Assert.True(await ds.Commits.TryCreateAsync(inc, Entry(7, version: 2) with { Rows = 42 }, null, default));
        var manifest = await ds.GetManifestAsync();
        Assert.Equal(3, ds.LastCommitLogRead!.ObjectsRead);
        Assert.Equal(count + 2, manifest.ImageShards.Count);
        Assert.Equal((2, 42L), (manifest.Find("images", 7)!.Version, manifest.Find("images", 7)!.Rows));
        await ds.GetManifestAsync();
        Assert.Equal(0, ds.LastCommitLogRead!.ObjectsRead);

        var report = await ds.VerifyAsync(checksums: false);   // the shard files do not exist; the log itself is sound
        Assert.Null(report.ManifestProblem);
        Assert.DoesNotContain(report.Orphans, o => o.StartsWith("_c", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Verify_reports_a_checkpoint_that_disagrees_with_the_commit_objects_and_a_version_gap()
    {
        var store = NewStore();
        var ds = await store.CreateOrOpenAsync("tampered");
        await TestRows.WriteImageShardAsync(ds, 0, rows: 2);
        Assert.True((await ds.VerifyAsync()).Ok);
        var inc = (await ds.GetManifestAsync()).CommitIncarnation;
        var bogus = new CommitCheckpoint { CommitObjects = 1, Shards = [(await ds.GetManifestAsync()).Find("images", 0)! with { Rows = 99 }] };
        await store.Storage.WriteAsync(ds.KeyOf(CommitKeys.CheckpointPath(inc, 1)), ShardJson.Serialize(bogus));
        Assert.True(await ds.Commits.TryCreateAsync(inc, Entry(5, version: 2), null, default));
        var report = await ds.VerifyAsync();
        Assert.False(report.Ok);
        Assert.Contains("differs from the commit object", report.ManifestProblem);
        Assert.Contains("part-00005: commit versions 2 have a gap", report.ManifestProblem);
    }

    [Fact]
    public async Task A_schema_1_dataset_json_is_read_as_it_is_and_accepts_new_commits_and_replacements()
    {
        var store = NewStore();
        var ds = store.Dataset("legacy");
        // An older dataset: its shard written by the writer, its entry listed in a schema-1 dataset.json.
        await TestRows.WriteImageShardAsync(ds, 0, rows: 2, failures: 1);
        var before = await ds.GetManifestAsync();
        var written = before.Find("images", 0)! with { Version = 0 };
        await store.Storage.DeleteAsync(ds.KeyOf(CommitKeys.CommitPath(before.CommitIncarnation, "images", 0, 1)));
        await foreach (var item in store.Storage.ListAsync(ds.KeyOf(CommitKeys.JournalFolder) + "/")) await store.Storage.DeleteAsync(item.Key);
        var legacy = new DatasetManifest
        {
            SchemaVersion = DatasetManifest.LegacySchemaVersion, Name = "legacy", Source = "cc3m",
            CreatedUtc = DateTimeOffset.UtcNow.AddDays(-1), UpdatedUtc = DateTimeOffset.UtcNow.AddDays(-1), Shards = [written],
        };
        await store.Storage.WriteAsync(ds.KeyOf(ShardNames.ManifestFile), ShardJson.Serialize(legacy));
        CommitLogReader.Forget(ds);

        Assert.True(await ds.IsCommittedAsync(0));
        await using (var reader = await ds.OpenImageShardAsync(0)) Assert.Equal(2, reader.RowCount);
        Assert.True((await TestRows.WriteImageShardAsync(ds, 0, rows: 5)).AlreadyCommitted);
        Assert.False((await TestRows.WriteImageShardAsync(ds, 1, rows: 3)).AlreadyCommitted);
        Assert.Equal([(0, 2L, 0), (1, 3L, 1)], await StreamedAsync(ds));   // the listed shard, then the committed one

        await using (var writer = await ds.CreateReplacementImageShardWriterAsync(written))
        {
            for (var i = 0; i < 4; i++) await writer.AddAsync(TestRows.Image(0, i));
            var result = await writer.CommitAsync();
            Assert.True(result.Replaced);
            Assert.Equal(1, result.Entry.Version);
        }
        var manifest = await ds.GetManifestAsync();
        Assert.Equal([(0, 4L, 1), (1, 3L, 1)], manifest.ImageShards.Select(s => (s.Index, s.Rows, s.Version)));
        Assert.Equal("cc3m", manifest.Source);
        Assert.Equal(DatasetManifest.LegacySchemaVersion, manifest.SchemaVersion);
        Assert.Equal([(0, 4L, 1), (1, 3L, 1)], await StreamedAsync(ds));
        var report = await ds.VerifyAsync();
        Assert.True(report.Ok, report.ManifestProblem + string.Join("; ", report.Bad.Select(b => b.Problem)));
        Assert.Empty(report.Orphans);
    }

    private static async Task<List<(int, long, int)>> StreamedAsync(Dataset ds)
    {
        var shards = new List<(int, long, int)>();
        await foreach (var s in ds.StreamShardsAsync(ShardNames.ImagesKind)) shards.Add((s.Index, s.Rows, s.Version));
        return shards;
    }

    [Fact]
    public async Task Writers_racing_on_one_shard_leave_one_committed_entry_that_matches_the_stored_bytes()
    {
        var store = NewStore();
        var ds = await store.CreateOrOpenAsync("race");
        for (var round = 0; round < 3; round++)
        {
            // On Blob a writer whose staged blocks another writer's publish discarded fails with a clear, retryable error.
            var results = await Task.WhenAll(Enumerable.Range(1, 4).Select(rows => Task.Run(async () =>
            {
                try { return await TestRows.WriteImageShardAsync(ds, round, rows); }
                catch (ConcurrentWriterException) { return null; }
            })));
            Assert.Single(results, r => r is { AlreadyCommitted: false });
            if (ConnectionString is null) Assert.All(results, r => Assert.NotNull(r));
            var entry = (await ds.GetManifestAsync()).Find("images", round)!;
            Assert.Equal(entry.Sha256, await ShardChecksum.ComputeAsync(store.Storage, ds.KeyOf(entry.Path)));
        }
        Assert.True((await ds.VerifyAsync()).Ok);
    }

    [Fact]
    public async Task A_dataset_recreated_after_a_cut_short_delete_does_not_get_the_old_shards()
    {
        var store = NewStore();
        var ds = await store.CreateOrOpenAsync("recreated");
        await TestRows.WriteImageShardAsync(ds, 0, rows: 1);
        await TestRows.WriteImageShardAsync(ds, 1, rows: 1);
        Assert.Equal(2, (await ds.GetManifestAsync()).Shards.Count);
        // The delete removed dataset.json and then stopped: every commit object of the old dataset is still there.
        await store.Storage.DeleteAsync(ds.KeyOf(ShardNames.ManifestFile));
        Assert.Null(await ds.ReadManifestAsync());
        Assert.False(await ds.IsCommittedAsync(0));
        await store.CreateOrOpenAsync("recreated");
        Assert.False(await ds.IsCommittedAsync(0));
        Assert.False((await TestRows.WriteImageShardAsync(ds, 0, rows: 2)).AlreadyCommitted);
        await TestRows.WriteImageShardAsync(ds, 5, rows: 1);
        Assert.Equal([(0, 2L), (5, 1L)], (await ds.GetManifestAsync()).Shards.Select(s => (s.Index, s.Rows)));
        Assert.Equal(2, (await ds.VerifyAsync()).Orphans.Count(o => o.StartsWith("_commits/", StringComparison.Ordinal)));
    }
}

public sealed class LocalCommitLogTests() : CommitLogContractTests(new LocalTestRoots("sseg-commitlog"));

[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobCommitLogTests(AzuriteFixture azurite) : CommitLogContractTests(new AzuriteTestRoots(azurite));
