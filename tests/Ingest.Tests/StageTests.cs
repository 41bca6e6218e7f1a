using System.Text;
using SSeg.Ingest.Manifests;
using SSeg.Ingest.Stage;
using SSeg.Shards;
using SSeg.Tests.Common;

namespace SSeg.Ingest.Tests;

/// <summary>
/// The whole stage over loopback HTTP: photos plus every fault of the catalogue, CC3M + CC12M + RedCaps in one
/// dataset. Every input row must end as exactly one shard row or exactly one failure with the right reason.
/// </summary>
public sealed class StageTests(ServerFixture fixture) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly string _dir = RepoPaths.NewTempDir("sseg-ingest-stage");
    private FaultServer Server => fixture.Server;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Ok = "ok";

    /// <summary>(url, expected outcome) for the fault catalogue and the real photos.</summary>
    private List<(string Url, string Expected)> Catalogue()
    {
        var list = new List<(string, string)>
        {
            (Server.Url("/status/404"), "http_404"),
            (Server.Url("/status/403"), "http_403"),
            (Server.Url("/status/410"), "http_410"),
            (Server.Url("/flaky/stage-429/429"), Ok),
            (Server.Url("/flaky/stage-500/500"), Ok),
            (Server.Url("/slow-headers"), "timeout"),
            (Server.Url("/drip"), "timeout"),
            (Server.Url("/reset"), "connection_reset|network"),
            (Server.Url("/html"), "not_image"),
            (Server.Url("/html-as-jpeg"), "not_image"),
            (Server.Url("/empty"), "empty_body"),
            (Server.Url("/big/chunked"), "too_large"),
            (Server.Url("/loop/a"), "redirect_loop"),
            (Server.Url("/redirect-to?url=" + Uri.EscapeDataString("http://169.254.169.254/latest/meta-data/")), "blocked_address"),
            (Server.Url("/redirect-to?url=" + Uri.EscapeDataString("http://127.0.0.1:9/internal.jpg")), "blocked_address"),
            (Server.Url("/robots/noai"), "opt_out"),
            (Server.Url("/bomb.png"), "too_many_pixels"),
            (Server.Url("/imgur/gone.jpg"), "placeholder"),
        };
        foreach (var f in Directory.GetFiles(Path.Combine(RepoPaths.Photos, "formats")).Where(f => !f.EndsWith(".txt")).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(f);
            list.Add((Server.Url("/photos/formats/" + name), ImageProcessorTests.ExpectedFailures.GetValueOrDefault(name, Ok)));
        }
        foreach (var folder in new[] { "openimages-ibm", "abo-products", "c2lc-landmarks", "large" })
            foreach (var f in Directory.GetFiles(Path.Combine(RepoPaths.Photos, folder), "*.jpg").Order(StringComparer.Ordinal).Take(6))
                list.Add((Server.Url($"/photos/{folder}/{Path.GetFileName(f)}"), Ok));
        return list;
    }

    private IngestOptions Options(string dataset, IReadOnlyList<SourceSpec> sources, int shardSize) => new()
    {
        Sources = sources,
        Dataset = dataset,
        Root = Path.Combine(_dir, "root"),
        ShardSize = shardSize,
        DownloadConcurrency = 32,
        ProcessWorkers = 2,
        Download = ServerFixture.FastOptions with
        {
            Timeout = TimeSpan.FromSeconds(4),
            AllowPrivateAddresses = false,
            GuardExemptEndpoints = new HashSet<string> { $"127.0.0.1:{Server.Port}" },
        },
    };

    [Fact]
    public async Task Every_input_row_ends_as_exactly_one_row_or_one_failure_with_the_right_reason()
    {
        var catalogue = Catalogue();
        var expected = new Dictionary<long, string>();   // input index -> expected outcome
        var cc3m = new StringBuilder();
        long index = 0;
        foreach (var (url, outcome) in catalogue)
        {
            cc3m.Append($"a photo number {index} of a dog on a street\t{url}\n");
            expected[index++] = outcome;
        }
        cc3m.Append("a caption without url\n"); expected[index++] = "malformed_row";
        cc3m.Append("bad scheme\tftp://example.com/a.jpg\n"); expected[index++] = "malformed_row";
        var cc3mPath = Path.Combine(_dir, "cc3m.tsv");
        await File.WriteAllTextAsync(cc3mPath, cc3m.ToString());

        // CC12M: one URL repeated from CC3M (duplicate), one new photo.
        var photo = Server.Url("/photos/openimages-conceptual-captions/" +
            Path.GetFileName(Directory.GetFiles(Path.Combine(RepoPaths.Photos, "openimages-conceptual-captions"), "*.jpg").Order(StringComparer.Ordinal).First()));
        var cc12mPath = Path.Combine(_dir, "cc12m.tsv");
        await File.WriteAllTextAsync(cc12mPath, $"{catalogue[^1].Url}\tSame URL as CC3M\n{photo}\tA new photo, <PERSON> at a market");
        expected[index++] = "duplicate";
        expected[index++] = Ok;

        // RedCaps: one annotation.
        Directory.CreateDirectory(Path.Combine(_dir, "redcaps", "annotations"));
        var rcPhoto = Server.Url("/photos/scikit-image/" + Path.GetFileName(Directory.GetFiles(Path.Combine(RepoPaths.Photos, "scikit-image"), "*.jpg").Order(StringComparer.Ordinal).First()));
        await File.WriteAllTextAsync(Path.Combine(_dir, "redcaps", "annotations", "space_2020.json"),
            "{\"annotations\": [{\"image_id\": \"abc\", \"author\": \"None\", \"url\": \"" + rcPhoto + "\", \"caption\": \"a rocket on the pad\", \"subreddit\": \"space\", \"score\": 3}]}");
        expected[index++] = Ok;

        var sources = new[] { SourceSpec.Parse($"cc3m={cc3mPath}"), SourceSpec.Parse($"cc12m={cc12mPath}"), SourceSpec.Parse($"redcaps={Path.Combine(_dir, "redcaps")}") };
        const int shardSize = 25;
        var options = Options("mixed", sources, shardSize);
        var shards = IngestStage.CountShards(options);
        Assert.Equal((int)((index + shardSize - 1) / shardSize), shards);

        var progressSeen = 0;
        var outcomes = new List<ShardOutcome>();
        for (var s = 0; s < shards; s++)
            outcomes.Add(await IngestStage.RunShardAsync(options, s, new SyncProgress(_ => progressSeen++), CancellationToken.None));
        Assert.True(progressSeen >= index);
        Assert.All(outcomes, o => Assert.False(o.Skipped));
        Assert.Equal(index, outcomes.Sum(o => o.InputRows));
        Assert.Equal(index, outcomes.Sum(o => o.Rows + o.Failures));

        var dataset = DatasetStore.Open(options.Root).Dataset("mixed");
        var seen = new Dictionary<string, string>();
        for (var s = 0; s < shards; s++)
        {
            await using (var reader = await dataset.OpenImageShardAsync(s))
                await foreach (var row in reader.ReadRowsAsync())
                {
                    Assert.True(seen.TryAdd(row.Key, Ok), $"{row.Key} twice");
                    Assert.True(row.ImageBytes.Length > 100);
                    Assert.True(Math.Min(row.Width, row.Height) <= 512);
                    Assert.Equal(64, row.Sha256.Length);
                    Assert.False(string.IsNullOrEmpty(row.Caption));
                    Assert.StartsWith("http://127.0.0.1:", row.Url);
                    if (row.Source == "redcaps")
                    {
                        Assert.Contains("\"subreddit\":\"space\"", row.Extra);
                        Assert.Equal("a rocket on the pad", row.Caption);
                    }
                }
            foreach (var f in await dataset.ReadFailuresAsync(s))
            {
                Assert.NotNull(f.Key);
                Assert.True(seen.TryAdd(f.Key!, f.Reason), $"{f.Key} twice ({f.Reason})");
                Assert.False(string.IsNullOrEmpty(f.Detail));
            }
            var stats = await dataset.ReadStatsAsync(s);
            Assert.NotNull(stats);
            Assert.Equal(stats!.Rows + stats.Failures, stats.InputRows);
        }

        Assert.Equal(index, seen.Count);
        for (long i = 0; i < index; i++)
        {
            var shard = (int)(i / shardSize);
            var source = i < catalogue.Count + 2 ? "cc3m" : i < catalogue.Count + 4 ? "cc12m" : "redcaps";
            var key = SampleKey.Format(source, shard, (int)(i % shardSize));
            Assert.True(seen.TryGetValue(key, out var actual), $"no outcome for {key}");
            var allowed = expected[i].Split('|');
            Assert.True(allowed.Contains(actual), $"{key} ({(i < catalogue.Count ? catalogue[(int)i].Url : "")}): expected {expected[i]}, got {actual}");
        }

        // Resume: committed shards are skipped and nothing changes.
        var before = await dataset.GetManifestAsync();
        var again = await IngestStage.RunShardAsync(options, 0, null, CancellationToken.None);
        Assert.True(again.Skipped);
        Assert.Equal(before.Shards.Select(e => e.Sha256), (await dataset.GetManifestAsync()).Shards.Select(e => e.Sha256));
    }

    [Fact]
    public async Task A_different_configuration_for_the_same_dataset_is_refused()
    {
        var path = Path.Combine(_dir, "one.tsv");
        await File.WriteAllTextAsync(path, $"a dog\t{Server.Url("/status/404")}\n");
        var options = Options("cfg", [SourceSpec.Parse($"cc3m={path}")], 10);
        await IngestStage.RunShardAsync(options, 0, null, CancellationToken.None);
        var changed = options with { Image = options.Image with { ImageSize = 224 } };
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => IngestStage.RunShardAsync(changed, 0, null, CancellationToken.None));
        Assert.Contains("config hash", e.Message);
    }

    [Fact]
    public async Task Shard_past_the_end_is_a_clear_error()
    {
        var path = Path.Combine(_dir, "one.tsv");
        await File.WriteAllTextAsync(path, $"a dog\t{Server.Url("/status/404")}\n");
        var options = Options("end", [SourceSpec.Parse($"cc3m={path}")], 10);
        var e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => IngestStage.RunShardAsync(options, 3, null, CancellationToken.None));
        Assert.Contains("past the end", e.Message);
    }

    /// <summary>IProgress that calls back synchronously (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SyncProgress(Action<IngestProgress> onReport) : IProgress<IngestProgress>
    {
        public void Report(IngestProgress value) => onReport(value);
    }
}
