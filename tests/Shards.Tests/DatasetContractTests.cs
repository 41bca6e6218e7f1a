using System.Text;
using SSeg.Shards.Commits;

namespace SSeg.Shards.Tests;

/// <summary>Datasets, shards and the commit protocol; run once per storage backend below.</summary>
public abstract class DatasetContractTests(TestRoots roots) : BackendContractTests(roots)
{
    private DatasetStore NewStore(out string root)
    {
        root = NewRootUri();
        return DatasetStore.Open(root, ConnectionString);
    }

    private static async Task<List<string>> ListKeysAsync(DatasetStore store, string prefix)
    {
        var keys = new List<string>();
        await foreach (var item in store.Storage.ListAsync(prefix)) keys.Add(item.Key);
        return keys;
    }

    [Fact]
    public async Task Image_rows_round_trip_through_several_row_groups_with_stats_and_failures()
    {
        var store = NewStore(out _);
        var ds = await store.CreateOrOpenAsync("rt", source: "test", configHash: "cfg1");
        var result = await TestRows.WriteImageShardAsync(ds, 3, rows: 10, failures: 3, options: new ShardWriterOptions { RowGroupMaxRows = 4 });

        Assert.False(result.AlreadyCommitted);
        Assert.Equal((10L, 3, 3L), (result.Entry.Rows, result.Entry.RowGroups, result.Entry.Failures));
        Assert.Equal("images/part-00003.parquet", result.Entry.Path);
        Assert.True(await ds.IsCommittedAsync(3));
        Assert.False(await ds.IsCommittedAsync(4));
        Assert.Equal(result.Entry.Sha256, await ShardChecksum.ComputeAsync(store.Storage, ds.KeyOf(result.Entry.Path)));

        await using var reader = await ds.OpenImageShardAsync(3);
        Assert.Equal(3, reader.RowGroupCount);
        var rows = new List<ImageRow>();
        await foreach (var row in reader.ReadRowsAsync()) rows.Add(row);
        Assert.Equal(10, rows.Count);
        for (var i = 0; i < 10; i++)
        {
            var expected = TestRows.Image(3, i);
            var actual = rows[i];
            Assert.Equal(expected.Key, actual.Key);
            Assert.Equal(expected.ImageBytes, actual.ImageBytes);
            Assert.Equal(expected.Caption, actual.Caption);
            Assert.Equal(expected.Nouns, actual.Nouns);
            Assert.Equal(expected.Verbs, actual.Verbs);
            Assert.Equal((expected.Url, expected.Source, expected.Sha256, expected.Extra), (actual.Url, actual.Source, actual.Sha256, actual.Extra));
            Assert.Equal((expected.Width, expected.Height, expected.OriginalWidth, expected.OriginalHeight),
                (actual.Width, actual.Height, actual.OriginalWidth, actual.OriginalHeight));
        }

        var failures = await ds.ReadFailuresAsync(3);
        Assert.Equal(["http_404", "timeout", "http_404"], failures.Select(f => f.Reason));
        Assert.Equal("test/00003/00010", failures[0].Key);
        var stats = await ds.ReadStatsAsync(3);
        Assert.NotNull(stats);
        Assert.Equal((10L, 13L, "cfg1"), (stats.Rows, stats.InputRows!.Value, stats.ConfigHash));
        Assert.Equal(2, stats.FailuresByReason["http_404"]);
        Assert.Equal(1, stats.FailuresByReason["timeout"]);
    }

    [Fact]
    public async Task A_shard_where_every_sample_failed_commits_with_zero_rows()
    {
        var ds = await NewStore(out _).CreateOrOpenAsync("empty");
        var result = await TestRows.WriteImageShardAsync(ds, 0, rows: 0, failures: 4);
        Assert.Equal((0L, 4L), (result.Entry.Rows, result.Entry.Failures));
        await using (var reader = await ds.OpenImageShardAsync(0))
        {
            Assert.Equal(0, reader.RowCount);
            Assert.Empty(await reader.ReadRowsAsync().ToListAsync());
        }
        Assert.Equal(4, (await ds.ReadFailuresAsync(0)).Count);
        Assert.True((await ds.VerifyAsync()).Ok);
    }

    [Fact]
    public async Task Projection_reads_only_the_chosen_columns()
    {
        var ds = await NewStore(out _).CreateOrOpenAsync("proj");
        await TestRows.WriteImageShardAsync(ds, 0, rows: 5);
        await using var reader = await ds.OpenImageShardAsync(0);
        var group = await reader.ReadRowGroupAsync(0, ImageColumns.Key | ImageColumns.Nouns);
        Assert.Equal(5, group.Count);
        Assert.Equal("test/00000/00001", group[1].Key);
        Assert.Equal(["photo", "noun1"], group[1].Nouns);
        Assert.Empty(group[0].Nouns);
        Assert.Empty(group[1].ImageBytes);
        Assert.Equal("", group[1].Caption);
        Assert.Equal(0, group[1].Width);
    }

    [Fact]
    public async Task Mask_shards_carry_generator_metadata()
    {
        var ds = await NewStore(out _).CreateOrOpenAsync("masks");
        var generator = new MaskGeneratorInfo("dino-s16-k8", "dino_vits16", "sha256:abc", "k", 8, 42) { Extra = new Dictionary<string, string> { ["size"] = "448" } };
        Assert.False(await ds.IsMaskCommittedAsync(generator.Id, 0));
        await using (var writer = await ds.CreateMaskShardWriterAsync(generator, 0, new ShardWriterOptions { RowGroupMaxRows = 2 }))
        {
            for (var i = 0; i < 5; i++) await writer.AddAsync(new MaskRow(SampleKey.Format("test", 0, i), [1, 2, (byte)i], 28, 28, i + 1));
            var result = await writer.CommitAsync();
            Assert.Equal("masks/dino-s16-k8/part-00000.parquet", result.Entry.Path);
            Assert.Equal(5, result.Entry.Rows);
        }
        Assert.True(await ds.IsMaskCommittedAsync(generator.Id, 0));
        var manifest = await ds.GetManifestAsync();
        Assert.Equal(generator.Model, manifest.Generators[generator.Id].Model);

        await using var reader = await ds.OpenMaskShardAsync(generator.Id, 0);
        Assert.Equal(generator with { Extra = null }, reader.Generator! with { Extra = null });
        Assert.Equal("448", reader.Generator!.Extra!["size"]);
        Assert.Equal("8", reader.Metadata["sseg.generator.k"]);
        var rows = new List<MaskRow>();
        await foreach (var row in reader.ReadRowsAsync()) rows.Add(row);
        Assert.Equal(5, rows.Count);
        Assert.Equal([1, 2, 4], rows[4].MaskPng);
        Assert.Equal((28, 28, 5), (rows[4].Height, rows[4].Width, rows[4].Segments));
    }

    [Fact]
    public async Task Recommitting_a_shard_is_a_no_op()
    {
        var store = NewStore(out _);
        var ds = await store.CreateOrOpenAsync("idem");
        var first = await TestRows.WriteImageShardAsync(ds, 7, rows: 3);
        var second = await TestRows.WriteImageShardAsync(ds, 7, rows: 5);   // a re-run with different content
        Assert.False(first.AlreadyCommitted);
        Assert.True(second.AlreadyCommitted);
        Assert.Equal((first.Entry.Path, first.Entry.Rows, first.Entry.Sha256), (second.Entry.Path, second.Entry.Rows, second.Entry.Sha256));
        var manifest = await ds.GetManifestAsync();
        Assert.Single(manifest.Shards);
        Assert.Equal(first.Entry.Sha256, await ShardChecksum.ComputeAsync(store.Storage, ds.KeyOf(first.Entry.Path)));
        await using var reader = await ds.OpenImageShardAsync(7);
        Assert.Equal(3, reader.RowCount);
    }

    [Fact]
    public async Task A_replacement_writer_swaps_the_shard_only_while_it_is_unchanged()
    {
        var store = NewStore(out _);
        var ds = await store.CreateOrOpenAsync("replace");
        var original = (await TestRows.WriteImageShardAsync(ds, 2, rows: 3, failures: 2)).Entry;

        await using (var writer = await ds.CreateReplacementImageShardWriterAsync(original))
        {
            for (var i = 0; i < 5; i++) await writer.AddAsync(TestRows.Image(2, i));
            writer.AddFailure(new FailureRow("u", "test/00002/00009", "timeout", null));
            var result = await writer.CommitAsync();
            Assert.True(result.Replaced);
            Assert.False(result.AlreadyCommitted);
            Assert.Equal((5L, 1L), (result.Entry.Rows, result.Entry.Failures));
            Assert.StartsWith("images/part-00002.r", result.Entry.Path);
        }
        var manifest = await ds.GetManifestAsync();
        var listed = Assert.Single(manifest.Shards);
        await using (var reader = await ds.OpenImageShardAsync(2)) Assert.Equal(5, reader.RowCount);
        Assert.Single(await ds.ReadFailuresAsync(2));
        var keys = await ListKeysAsync(store, ds.Prefix + "/");
        Assert.DoesNotContain(ds.KeyOf(original.Path), keys);            // replaced files are gone
        Assert.True((await ds.VerifyAsync()).Ok);
        Assert.Empty((await ds.VerifyAsync()).Orphans);

        // A replacement based on the outdated entry changes nothing and leaves no files behind.
        await using (var stale = await ds.CreateReplacementImageShardWriterAsync(original))
        {
            await stale.AddAsync(TestRows.Image(2, 0));
            var result = await stale.CommitAsync();
            Assert.False(result.Replaced);
            Assert.Equal(listed.Sha256, result.Entry.Sha256);
        }
        Assert.Equal(listed.Sha256, (await ds.GetManifestAsync()).Find("images", 2)!.Sha256);
        Assert.Equal(keys, await ListKeysAsync(store, ds.Prefix + "/"));
    }

    [Fact]
    public async Task An_aborted_writer_leaves_nothing_visible()
    {
        var store = NewStore(out _);
        var ds = await store.CreateOrOpenAsync("abort");
        await using (var writer = await ds.CreateImageShardWriterAsync(1, new ShardWriterOptions { RowGroupMaxRows = 2 }))
            for (var i = 0; i < 5; i++) await writer.AddAsync(TestRows.Image(1, i));
        Assert.False(await ds.IsCommittedAsync(1));
        Assert.Equal([ds.KeyOf("dataset.json")], await ListKeysAsync(store, ds.Prefix + "/"));
    }

    [Fact]
    public async Task Concurrent_commits_in_one_process_lose_no_manifest_entry()
    {
        var ds = await NewStore(out _).CreateOrOpenAsync("conc");
        await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(() => TestRows.WriteImageShardAsync(ds, i, rows: 1))));
        var manifest = await ds.GetManifestAsync();
        Assert.Equal(Enumerable.Range(0, 12), manifest.ImageShards.Select(s => s.Index));
    }

    [Fact]
    public async Task Two_processes_committing_different_shards_lose_no_manifest_entry()
    {
        var store = NewStore(out var root);
        var ds = store.Dataset("twoproc");   // no manifest yet: the children race to create it too
        using var even = new ChildProcess(ConnectionString, "commit-shards", root, ds.Name, "0", "2", "8");
        using var odd = new ChildProcess(ConnectionString, "commit-shards", root, ds.Name, "1", "2", "8");
        Assert.True(await even.WaitForExitAsync(TimeSpan.FromMinutes(2)) == 0, even.Output);
        Assert.True(await odd.WaitForExitAsync(TimeSpan.FromMinutes(2)) == 0, odd.Output);
        var manifest = await ds.GetManifestAsync();
        Assert.Equal(Enumerable.Range(0, 16), manifest.ImageShards.Select(s => s.Index));
        Assert.All(manifest.ImageShards, s => Assert.Equal((2L, 1L), (s.Rows, s.Failures)));
        // Both processes appended to the same minute logs of the journal: every entry is there, whole.
        var journal = ds.KeyOf(CommitKeys.JournalFolderOf(manifest.CommitIncarnation) + "/");
        var records = new List<string>();
        await foreach (var log in store.Storage.ListAsync(journal))
            records.AddRange(Encoding.UTF8.GetString((await store.Storage.ReadFromAsync(log.Key, 0))!).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(Enumerable.Range(0, 16).Select(i => $"images/{ShardNames.PartName(i)}.v000001"), records.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_reader_polling_while_committers_are_killed_at_random_sees_every_commit_from_the_journal_alone()
    {
        var store = NewStore(out var root);
        var ds = await store.CreateOrOpenAsync("killed-committers");
        Assert.Empty((await ds.ReadIndexAsync())!.ImageShards);   // this process's reader: its first read lists every name
        const int committers = 3, shardsEach = 12;
        var random = new Random(18);
        using var stop = new CancellationTokenSource();
        var (polls, fullListings) = (0, 0);
        var poller = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await ds.ReadIndexAsync();
                polls++;
                if (ds.LastCommitLogRead!.FullListing) fullListings++;
                await Task.Delay(20);
            }
        });
        // Two rounds of committers killed (SIGKILL) at random points, each a random few milliseconds into a commit after
        // a random number of them, then a round that finishes: each re-run skips what was committed.
        for (var round = 0; round < 3; round++)
        {
            var children = Enumerable.Range(0, committers).Select(c => new ChildProcess(ConnectionString, "commit-shards", root, ds.Name,
                c.ToString(), committers.ToString(), shardsEach.ToString(), "stepped")).ToList();
            var kills = children.Select(_ => (After: random.Next(1, 5), DelayMs: random.Next(0, 30))).ToList();
            await Task.WhenAll(children.Select(async (child, i) =>
            {
                var steps = round < 2 ? kills[i].After : shardsEach;
                for (var step = 1; step <= steps; step++)
                {
                    await child.SendAsync("go");
                    await child.WaitForShardsAsync(step, TimeSpan.FromMinutes(1));
                }
                if (round < 2)
                {
                    await child.SendAsync("go");
                    await Task.Delay(kills[i].DelayMs);
                    child.Kill();
                }
                else Assert.True(await child.WaitForExitAsync(TimeSpan.FromMinutes(1)) == 0, child.Output);
            }));
            children.ForEach(child => child.Dispose());
        }
        await stop.CancelAsync();
        await poller;

        // Every commit was seen through the journal: no poll listed every name (none was due for the dataset's sweep).
        var index = (await ds.ReadIndexAsync())!;
        Assert.Equal(Enumerable.Range(0, committers * shardsEach), index.ImageShards.Select(s => s.Index));
        Assert.True(polls > 10, $"{polls} polls");
        Assert.Equal((0, false), (fullListings, ds.LastCommitLogRead!.FullListing));
        var report = await ds.VerifyAsync();
        Assert.True(report.Ok, report.ManifestProblem ?? string.Join("; ", report.Bad.Select(b => b.ToString())));
    }

    [Fact]
    public async Task A_writer_killed_mid_shard_leaves_no_visible_partial_shard()
    {
        var store = NewStore(out var root);
        var ds = await store.CreateOrOpenAsync("killed");
        using (var child = new ChildProcess(ConnectionString, "write-then-hang", root, ds.Name, "5"))
        {
            await child.WaitForReadyAsync(TimeSpan.FromMinutes(1));   // several row groups already written
            child.Kill();
        }
        Assert.False(await ds.IsCommittedAsync(5));
        Assert.Equal([ds.KeyOf("dataset.json")], await ListKeysAsync(store, ds.Prefix + "/"));
        Assert.Empty(await store.Dataset("killed").ReadImagesAsync().ToListAsync());

        // The re-run of the job commits normally.
        var result = await TestRows.WriteImageShardAsync(ds, 5, rows: 2);
        Assert.False(result.AlreadyCommitted);
        Assert.True(await ds.IsCommittedAsync(5));
    }

    [Fact]
    public async Task Verify_names_each_bad_shard_with_its_reason()
    {
        var store = NewStore(out _);
        var ds = await store.CreateOrOpenAsync("verify");
        for (var i = 0; i < 7; i++) await TestRows.WriteImageShardAsync(ds, i, rows: 3, failures: 1);
        Assert.True((await ds.VerifyAsync()).Ok);

        var manifest = await ds.GetManifestAsync();
        async Task<byte[]> Bytes(int shard)
        {
            await using var stream = await store.Storage.OpenReadAsync(ds.KeyOf(manifest.Find("images", shard)!.Path));
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            return copy.ToArray();
        }
        Task Put(int shard, byte[] content) => store.Storage.WriteAsync(ds.KeyOf(ShardNames.DataPath("images", shard)), content);

        var original1 = await Bytes(1);
        await Put(1, original1[..(original1.Length / 2)]);                 // truncated
        await Put(2, []);                                                   // zero bytes
        var random = new byte[(await Bytes(3)).Length];
        new Random(3).NextBytes(random);
        await Put(3, random);                                               // random bytes, same size
        await store.Storage.DeleteAsync(ds.KeyOf(ShardNames.DataPath("images", 4)));   // missing
        var flipped = await Bytes(5);
        flipped[flipped.Length / 3] ^= 0xFF;                                // inside image data: footer still fine
        await Put(5, flipped);
        // Shard 6: a valid Parquet file of the wrong schema, registered with its true size and checksum.
        var wrongKey = ds.KeyOf(ShardNames.FailuresPath("images", 0));
        await using (var wrong = await store.Storage.OpenReadAsync(wrongKey))
        using (var copy = new MemoryStream())
        {
            await wrong.CopyToAsync(copy);
            await Put(6, copy.ToArray());
            var listed = manifest.Find("images", 6)!;
            Assert.True(await ds.Commits.TryCreateAsync(manifest.CommitIncarnation, listed with
            {
                Version = listed.Version + 1, Bytes = copy.Length,
                Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(copy.ToArray())),
            }, null, default));
        }
        await store.Storage.WriteAsync(ds.KeyOf("images/part-00099.parquet"), new byte[] { 1, 2, 3 });   // unlisted: orphan, not an error

        var report = await ds.VerifyAsync();
        Assert.False(report.Ok);
        Assert.Equal(7, report.ShardsChecked);
        var problems = report.Bad.ToDictionary(s => s.Index, s => s.Problem);
        Assert.DoesNotContain(0, problems.Keys);
        Assert.Contains("truncated", problems[1]);
        Assert.Contains("zero-byte", problems[2]);
        Assert.Contains("unreadable Parquet", problems[3]);
        Assert.Contains("missing", problems[4]);
        Assert.Contains("SHA-256", problems[5]);
        Assert.Contains("no column", problems[6]);
        Assert.Equal(["images/part-00099.parquet"], report.Orphans);
    }

    [Fact]
    public async Task A_damaged_row_group_inside_a_shard_is_named_by_the_reader_and_by_verify()
    {
        var store = NewStore(out _);
        var ds = await store.CreateOrOpenAsync("midfile");
        var entry = (await TestRows.WriteImageShardAsync(ds, 3, rows: 10, options: new ShardWriterOptions { RowGroupMaxRows = 3 })).Entry;
        Assert.Equal(4, entry.RowGroups);
        var key = ds.KeyOf(entry.Path);
        byte[] bytes;
        await using (var stream = await store.Storage.OpenReadAsync(key))
        using (var copy = new MemoryStream())
        {
            await stream.CopyToAsync(copy);
            bytes = copy.ToArray();
        }
        // Overwrite the first page header of row group 2 (of 4): the footer, size and row count stay as committed.
        long pageOffset;
        using (var file = new MemoryStream(bytes))
        await using (var parquet = await global::Parquet.ParquetReader.CreateAsync(file))
            pageOffset = parquet.Metadata!.RowGroups[1].Columns[0].MetaData!.DataPageOffset;
        Array.Fill(bytes, (byte)0xFF, (int)pageOffset, 24);
        await store.Storage.WriteAsync(key, bytes);

        await using (var reader = await ds.OpenImageShardAsync(3))
        {
            Assert.Equal(3, (await reader.ReadRowGroupAsync(0)).Count);
            var error = await Assert.ThrowsAsync<UnreadableShardException>(() => reader.ReadRowGroupAsync(1));
            Assert.Equal(3, error.Index);
            Assert.StartsWith("row group 2 of 4: ", error.Reason);
            Assert.StartsWith($"images shard 3 ({entry.Path}) is unreadable: row group 2 of 4: ", error.Message);
        }
        await using (var byKey = await ImageShardReader.OpenAsync(store.Storage, key))
        {
            var error = await Assert.ThrowsAsync<InvalidDataException>(() => byKey.ReadRowGroupAsync(1));
            Assert.StartsWith($"{key}: row group 2 of 4 unreadable: ", error.Message);
        }

        var check = Assert.Single((await ds.VerifyAsync()).Bad);
        Assert.Contains("SHA-256", check.Problem);
        Assert.Contains($"{key}: row group 2 of 4 unreadable: ", check.Problem);
    }

    [Fact]
    public async Task Verify_reports_a_missing_or_corrupt_manifest()
    {
        var store = NewStore(out _);
        Assert.Contains("no dataset.json", (await store.Dataset("nothing").VerifyAsync()).ManifestProblem);
        await store.Storage.WriteAsync("datasets/broken/dataset.json", "{ not json"u8.ToArray());
        var report = await store.Dataset("broken").VerifyAsync();
        Assert.False(report.Ok);
        Assert.Contains("not valid JSON", report.ManifestProblem);
    }

    [Fact]
    public async Task Inspection_gives_totals_and_samples_with_masks()
    {
        var store = NewStore(out _);
        var ds = await store.CreateOrOpenAsync("inspect", "test", "h");
        await TestRows.WriteImageShardAsync(ds, 0, rows: 3, failures: 3);
        await TestRows.WriteImageShardAsync(ds, 1, rows: 4, failures: 1);
        var generator = new MaskGeneratorInfo("gen", "dino", "x", "k", 4, 0);
        await using (var writer = await ds.CreateMaskShardWriterAsync(generator, 0))
        {
            for (var i = 0; i < 3; i++) await writer.AddAsync(new MaskRow(SampleKey.Format("test", 0, i), TestMasks.Png(14, 14, i), 14, 14, 4));
            await writer.CommitAsync();
        }
        var inspector = new DatasetInspector(store);
        var summary = Assert.Single(await inspector.ListAsync());
        Assert.Equal(("inspect", 2, 7L, 4L), (summary.Name, summary.ImageShards, summary.Rows, summary.Failures));
        Assert.Equal(3, summary.FailuresByReason["http_404"]);
        Assert.Equal(1, summary.FailuresByReason["timeout"]);
        Assert.Equal(1, summary.MaskShardsByGenerator["gen"]);

        var samples = await inspector.SampleAsync("inspect", 5);
        Assert.Equal(5, samples.Count);
        Assert.All(samples.Take(3), s => Assert.NotNull(s.Mask));
        Assert.All(samples.Skip(3), s => Assert.Null(s.Mask));
        Assert.Equal(samples[1].Image.Key, samples[1].Mask!.Key);
        Assert.Equal(1, samples[4].Shard);

        var overlay = MaskOverlay.RenderPng(samples[0].Image.ImageBytes, samples[0].Mask!.MaskPng);
        using var decoded = SixLabors.ImageSharp.Image.Load(overlay);
        using var original = SixLabors.ImageSharp.Image.Load(samples[0].Image.ImageBytes);
        Assert.Equal((original.Width, original.Height), (decoded.Width, decoded.Height));
    }

    [Fact]
    public async Task Samples_from_a_later_shard_take_each_mask_from_the_first_generator_that_committed_it()
    {
        var store = NewStore(out _);
        var ds = await store.CreateOrOpenAsync("sample-from", "test", "h");
        for (var shard = 0; shard < 4; shard++) await TestRows.WriteImageShardAsync(ds, shard, rows: 2);
        // "b-gen" covers shards 1-3, "a-gen" (first in ordinal order) only shard 2: shard 2 shows a-gen, shard 3 b-gen.
        await WriteMasksAsync(ds, new MaskGeneratorInfo("b-gen", "dino", "x", "k", 4, 0), [1, 2, 3], rows: 2);
        await WriteMasksAsync(ds, new MaskGeneratorInfo("a-gen", "dino", "x", "k", 4, 0), [2], rows: 2);
        var inspector = new DatasetInspector(store);

        var samples = await inspector.SampleAsync("sample-from", 3, fromShard: 2);
        Assert.Equal([(2, "a-gen"), (2, "a-gen"), (3, "b-gen")], samples.Select(s => (s.Shard, s.GeneratorId!)));
        Assert.Equal([SampleKey.Format("test", 2, 0), SampleKey.Format("test", 2, 1), SampleKey.Format("test", 3, 0)], samples.Select(s => s.Image.Key));
        Assert.All(samples, s => Assert.Equal(s.Image.Key, s.Mask!.Key));

        var chosen = await inspector.SampleAsync("sample-from", 4, fromShard: 1, generatorId: "a-gen");
        Assert.Equal([(1, null), (1, null), (2, "a-gen"), (2, "a-gen")], chosen.Select(s => (s.Shard, s.GeneratorId)));
        Assert.Equal([false, false, true, true], chosen.Select(s => s.Mask is not null));

        Assert.Empty(await inspector.SampleAsync("sample-from", 3, fromShard: 9));
        var missing = await Assert.ThrowsAsync<InvalidOperationException>(() => inspector.SampleAsync("nothing-here", 3));
        Assert.Contains("nothing-here", missing.Message);
        Assert.Contains("nothing-here", (await Assert.ThrowsAsync<InvalidOperationException>(() => inspector.SummarizeAsync("nothing-here"))).Message);
    }

    private static async Task WriteMasksAsync(Dataset ds, MaskGeneratorInfo generator, int[] shards, int rows)
    {
        foreach (var shard in shards)
        {
            await using var writer = await ds.CreateMaskShardWriterAsync(generator, shard);
            for (var i = 0; i < rows; i++) await writer.AddAsync(new MaskRow(SampleKey.Format("test", shard, i), TestMasks.Png(14, 14, i), 14, 14, 4));
            await writer.CommitAsync();
        }
    }

    [Fact]
    public async Task Datasets_are_listed_and_config_changes_are_refused()
    {
        var store = NewStore(out _);
        Assert.Empty(await store.ListDatasetsAsync());
        await store.CreateOrOpenAsync("b", "cc3m", "h1");
        await store.CreateOrOpenAsync("a", "cc12m", "h2");
        await store.CreateOrOpenAsync("a", "cc12m", "h2");   // reopen: fine
        Assert.Equal(["a", "b"], await store.ListDatasetsAsync());
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => store.CreateOrOpenAsync("a", "cc12m", "other"));
        Assert.Contains("h2", e.Message);
        Assert.Throws<ArgumentException>(() => store.Dataset("../evil"));
        var missing = await Assert.ThrowsAsync<InvalidOperationException>(() => store.Dataset("b").OpenImageShardAsync(0));
        Assert.Contains("part-00000", missing.Message);
    }
}

public sealed class LocalDatasetTests() : DatasetContractTests(new LocalTestRoots("sseg-datasets"));

[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobDatasetTests(AzuriteFixture azurite) : DatasetContractTests(new AzuriteTestRoots(azurite));
