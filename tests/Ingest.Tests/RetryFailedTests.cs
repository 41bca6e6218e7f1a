using SSeg.Ingest.Manifests;
using SSeg.Ingest.Stage;
using SSeg.Shards;
using SSeg.Tests.Common;

namespace SSeg.Ingest.Tests;

public sealed class RetryFailedTests(ServerFixture fixture) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly string _dir = RepoPaths.NewTempDir("sseg-ingest-retry");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Retry_failed_recovers_transient_failures_and_republishes_the_merged_shard()
    {
        var server = fixture.Server;
        var photos = PhotoUrls(6);
        var lines = photos.Select((u, i) => $"landmark {i}\t{u}").ToList();
        lines.Add($"flaky one\t{server.Url("/flaky/retry-a/503")}");   // fails on the first run (no retries), works later
        lines.Add($"flaky two\t{server.Url("/flaky/retry-b/500")}");
        lines.Add($"gone\t{server.Url("/status/410")}");               // fails again
        lines.Add($"opted out\t{server.Url("/robots/noai")}");         // not retried
        lines.Add($"dup\t{photos[0]}");                                 // duplicate: not retried
        var options = await OptionsAsync("retry", lines);
        var first = await IngestStage.RunShardAsync(options, 0, null, CancellationToken.None);
        Assert.Equal(6, first.Rows);
        Assert.Equal(5, first.Failures);

        var retried = await IngestStage.RunShardAsync(options with { RetryFailed = true }, 0, null, CancellationToken.None);
        Assert.False(retried.Skipped, retried.Note);
        Assert.Equal(8, retried.Rows);
        Assert.Equal(3, retried.Failures);
        Assert.Equal(2, server.Hits("/flaky/retry-a/503"));
        Assert.Equal(1, server.Hits("/robots/noai"));

        var store = DatasetStore.Open(options.Root);
        var dataset = store.Dataset("retry");
        var keys = new List<string>();
        await using (var reader = await dataset.OpenImageShardAsync(0))
            await foreach (var row in reader.ReadRowsAsync(ImageColumns.Key)) keys.Add(row.Key);
        var failures = await dataset.ReadFailuresAsync(0);
        keys.AddRange(failures.Select(f => f.Key!));
        Assert.Equal(11, keys.Count);
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.Equal(["duplicate", "http_410", "opt_out"], failures.Select(f => f.Reason).Order());
        Assert.True((await DatasetVerifier.VerifyAsync(dataset)).Ok);
        Assert.Equal(["retry"], await store.ListDatasetsAsync());   // the scratch dataset is gone

        // Nothing retriable left but the 410: a second retry changes nothing it should not.
        var again = await IngestStage.RunShardAsync(options with { RetryFailed = true }, 0, null, CancellationToken.None);
        Assert.Equal(8, again.Rows);
        Assert.Equal(3, again.Failures);
    }
    [Fact]
    public async Task Retry_failed_reports_a_conflict_and_replaces_nothing_when_the_shard_changes_meanwhile()
    {
        var server = fixture.Server;
        var lines = PhotoUrls(3).Select((u, i) => $"landmark {i}\t{u}").Append($"flaky\t{server.Url("/flaky/conflict-a/503")}");
        var options = await OptionsAsync("conflict", lines);
        var first = await IngestStage.RunShardAsync(options, 0, null, CancellationToken.None);
        Assert.Equal((3, 1), (first.Rows, first.Failures));
        var dataset = DatasetStore.Open(options.Root).Dataset("conflict");

        // While the retry copies the old rows, another writer replaces the shard (same rows, one failure dropped).
        ShardEntry? theirs = null;
        var hook = new OnceProgress(() =>
        {
            theirs = Task.Run(() => ReplaceDroppingFailuresAsync(dataset)).GetAwaiter().GetResult();
        });
        var retried = await IngestStage.RunShardAsync(options with { RetryFailed = true }, 0, hook, CancellationToken.None);

        Assert.True(retried.Conflict, retried.Note);
        Assert.True(retried.Skipped);
        Assert.Contains("conflict", retried.Note);
        Assert.Equal(2, server.Hits("/flaky/conflict-a/503"));          // the retry did download it ...
        var listed = (await dataset.ReadManifestAsync())!.Find(ShardNames.ImagesKind, 0)!;
        Assert.NotNull(theirs);
        Assert.Equal((theirs!.Path, theirs.Sha256), (listed.Path, listed.Sha256));   // ... but did not overwrite the other change
        Assert.Equal((3, 0), (listed.Rows, listed.Failures));
        var files = Directory.GetFiles(Path.Combine(options.Root, "datasets", "conflict", "images")).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(new[] { listed.Path, listed.StatsPath, listed.FailuresPath }.Select(Path.GetFileName).Order().ToList(), files);
        Assert.True((await DatasetVerifier.VerifyAsync(dataset)).Ok);
    }

    private List<string> PhotoUrls(int count) =>
        Directory.GetFiles(Path.Combine(RepoPaths.Photos, "c2lc-landmarks"), "*.jpg").Order(StringComparer.Ordinal)
            .Select(f => fixture.Server.Url("/photos/c2lc-landmarks/" + Path.GetFileName(f))).Take(count).ToList();

    /// <summary>A CC3M manifest of <paramref name="lines"/>, one shard, downloads without retries (so flaky URLs fail first).</summary>
    private async Task<IngestOptions> OptionsAsync(string dataset, IEnumerable<string> lines)
    {
        var manifest = Path.Combine(_dir, $"{dataset}.tsv");
        await File.WriteAllLinesAsync(manifest, lines);
        return new IngestOptions
        {
            Sources = [SourceSpec.Parse($"cc3m={manifest}")],
            Dataset = dataset,
            Root = Path.Combine(_dir, "root"),
            ShardSize = 100,
            ProcessWorkers = 2,
            Download = ServerFixture.FastOptions with { MaxRetries = 0 },
        };
    }

    private static async Task<ShardEntry> ReplaceDroppingFailuresAsync(Dataset dataset)
    {
        var entry = (await dataset.ReadManifestAsync())!.Find(ShardNames.ImagesKind, 0)!;
        await using var writer = await dataset.CreateReplacementImageShardWriterAsync(entry);
        await using (var reader = await dataset.OpenImageShardAsync(0))
            await foreach (var row in reader.ReadRowsAsync()) await writer.AddAsync(row);
        var result = await writer.CommitAsync();
        Assert.True(result.Replaced);
        return result.Entry;
    }

    private sealed class OnceProgress(Action action) : IProgress<IngestProgress>
    {
        private int _fired;

        public void Report(IngestProgress value)
        {
            if (Interlocked.Exchange(ref _fired, 1) == 0) action();
        }
    }
}
