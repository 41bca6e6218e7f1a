using SSeg.Ingest.Manifests;
using SSeg.Ingest.Stage;
using SSeg.Shards;
using SSeg.Tests.Common;

namespace SSeg.Ingest.Tests;

/// <summary>
/// Shard-level rebuilds over loopback HTTP: after the manifest changes, only the shards whose rows changed are
/// downloaded again (counted at the server) and committed as a new version; the others keep their commit.
/// </summary>
public sealed class ShardRebuildTests(ServerFixture fixture) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly string _dir = RepoPaths.NewTempDir("sseg-ingest-rebuild");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Appending_rows_downloads_only_the_new_shard_and_editing_a_row_only_its_shard()
    {
        var paths = PhotoPaths(45);
        var lines = paths.Select((p, i) => $"photo {i}\t{fixture.Server.Url(p)}").ToList();
        var manifest = Path.Combine(_dir, "rebuild.tsv");
        await File.WriteAllLinesAsync(manifest, lines.Take(40));
        var options = new IngestOptions
        {
            Sources = [SourceSpec.Parse($"cc3m={manifest}")],
            Dataset = "rebuild",
            Root = Path.Combine(_dir, "root"),
            ShardSize = 10,
            ProcessWorkers = 2,
            Download = ServerFixture.FastOptions,
        };
        var dataset = DatasetStore.Open(options.Root).Dataset("rebuild");

        var first = await RunAllAsync(options);
        Assert.All(first, o => Assert.False(o.Skipped, o.Note));
        Assert.All(paths.Take(40), p => Assert.Equal(1, fixture.Server.Hits(p)));
        var built = await ImageShardsAsync(dataset);
        Assert.Equal([0, 1, 2, 3], built.Keys.Order());
        Assert.All(built.Values, e => Assert.Equal(1, e.Version));
        Assert.All(built.Values, e => Assert.NotNull(e.InputFingerprint));

        // Five rows appended: a fifth shard. Only its URLs are requested; shards 0-3 keep their commit.
        await File.WriteAllLinesAsync(manifest, lines);
        var appended = await RunAllAsync(options);
        Assert.Equal([true, true, true, true, false], appended.Select(o => o.Skipped));
        Assert.All(appended.Take(4), o => Assert.Equal(IngestStage.UnchangedNote, o.Note));
        Assert.All(paths.Take(40), p => Assert.Equal(1, fixture.Server.Hits(p)));
        Assert.All(paths.Skip(40), p => Assert.Equal(1, fixture.Server.Hits(p)));
        var afterAppend = await ImageShardsAsync(dataset);
        foreach (var shard in new[] { 0, 1, 2, 3 })
            Assert.Equal((built[shard].Version, built[shard].Path, built[shard].Sha256),
                (afterAppend[shard].Version, afterAppend[shard].Path, afterAppend[shard].Sha256));
        Assert.Equal((1, 5L), (afterAppend[4].Version, afterAppend[4].Rows));

        // One caption inside shard 1 edited: exactly shard 1's ten URLs are requested again; it becomes version 2.
        lines[15] = $"an edited caption\t{fixture.Server.Url(paths[15])}";
        await File.WriteAllLinesAsync(manifest, lines);
        var edited = await RunAllAsync(options);
        Assert.Equal([true, false, true, true, true], edited.Select(o => o.Skipped));
        Assert.StartsWith(IngestStage.RebuiltNote, edited[1].Note);
        for (var i = 0; i < paths.Count; i++)
            Assert.True(fixture.Server.Hits(paths[i]) == (i is >= 10 and < 20 ? 2 : 1), $"{paths[i]}: {fixture.Server.Hits(paths[i])} request(s)");
        var afterEdit = await ImageShardsAsync(dataset);
        Assert.Equal(2, afterEdit[1].Version);
        Assert.NotEqual(afterAppend[1].InputFingerprint, afterEdit[1].InputFingerprint);
        foreach (var shard in new[] { 0, 2, 3, 4 }) Assert.Equal(afterAppend[shard].Version, afterEdit[shard].Version);
        var captions = new List<string?>();
        await using (var reader = await dataset.OpenImageShardAsync(1))
            await foreach (var row in reader.ReadRowsAsync(ImageColumns.Key | ImageColumns.Caption)) captions.Add(row.Caption);
        Assert.Contains("an edited caption", captions);
        Assert.Equal(10, captions.Count);
        Assert.True((await DatasetVerifier.VerifyAsync(dataset)).Ok);
    }

    [Fact]
    public async Task A_shard_committed_without_a_fingerprint_is_rebuilt_once_and_then_kept()
    {
        // Other photos than the test above, whose request counts must not include these.
        var paths = Directory.GetFiles(Path.Combine(RepoPaths.Photos, "openimages-conceptual-captions"), "*.jpg").Order(StringComparer.Ordinal)
            .Take(3).Select(f => "/photos/openimages-conceptual-captions/" + Path.GetFileName(f)).ToList();
        var manifest = Path.Combine(_dir, "legacy.tsv");
        await File.WriteAllLinesAsync(manifest, paths.Select((p, i) => $"legacy {i}\t{fixture.Server.Url(p)}"));
        var options = new IngestOptions
        {
            Sources = [SourceSpec.Parse($"cc3m={manifest}")], Dataset = "legacy", Root = Path.Combine(_dir, "root"),
            ShardSize = 10, ProcessWorkers = 2, Download = ServerFixture.FastOptions,
        };
        var dataset = await DatasetStore.Open(options.Root).CreateOrOpenAsync("legacy", options.SourceDescription, options.ConfigHash());
        await using (var writer = await dataset.CreateImageShardWriterAsync(0))   // a writer that records no fingerprint
            await writer.CommitAsync();

        var rebuilt = await IngestStage.RunShardAsync(options, 0, null, CancellationToken.None);
        var kept = await IngestStage.RunShardAsync(options, 0, null, CancellationToken.None);

        Assert.False(rebuilt.Skipped, rebuilt.Note);
        Assert.Equal(3, rebuilt.Rows);
        Assert.True(kept.Skipped);
        var entry = (await dataset.FindCommittedAsync(ShardNames.ImagesKind, 0))!;
        Assert.Equal((2, 3L), (entry.Version, entry.Rows));
        Assert.All(paths, p => Assert.Equal(1, fixture.Server.Hits(p)));
    }

    private static async Task<List<ShardOutcome>> RunAllAsync(IngestOptions options)
    {
        var outcomes = new List<ShardOutcome>();
        for (var s = 0; s < IngestStage.CountShards(options); s++)
            outcomes.Add(await IngestStage.RunShardAsync(options, s, null, CancellationToken.None));
        return outcomes;
    }

    private static async Task<Dictionary<int, ShardEntry>> ImageShardsAsync(Dataset dataset) =>
        (await dataset.ReadManifestAsync())!.ImageShards.ToDictionary(s => s.Index);

    /// <summary>Server paths of <paramref name="count"/> distinct small photos.</summary>
    private static List<string> PhotoPaths(int count) =>
        new[] { "c2lc-landmarks", "abo-products", "openimages-ibm" }
            .SelectMany(folder => Directory.GetFiles(Path.Combine(RepoPaths.Photos, folder), "*.jpg").Order(StringComparer.Ordinal)
                .Select(f => $"/photos/{folder}/{Path.GetFileName(f)}"))
            .Take(count).ToList();
}
