using System.Diagnostics;
using System.Text;
using SSeg.Ingest.Manifests;
using SSeg.Ingest.Stage;
using SSeg.Shards;
using SSeg.Tests.Common;

namespace SSeg.Ingest.Tests;

/// <summary>
/// Ingest in a child process (this test assembly run as a program, see ChildProgram), killed hard at random
/// moments several times, then resumed to the end: the committed keys must equal those of an uninterrupted run,
/// with no duplicates, and `verify` must be clean.
/// </summary>
public sealed class CrashTests(ServerFixture fixture) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly string _dir = RepoPaths.NewTempDir("sseg-ingest-crash");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static IngestOptions ChildOptions(string manifest, string root, string dataset, int shardSize) => new()
    {
        Sources = [new SourceSpec("cc12m", SourceKind.Cc12m, manifest)],
        Dataset = dataset,
        Root = root,
        ShardSize = shardSize,
        DownloadConcurrency = 16,
        ProcessWorkers = 2,
        Download = ServerFixture.FastOptions,
    };

    [Fact]
    public async Task Killed_runs_resume_to_the_same_keys_as_an_uninterrupted_run()
    {
        var server = fixture.Server;
        var photos = Directory.GetFiles(Path.Combine(RepoPaths.Photos, "openimages-ibm"), "*.jpg").Order(StringComparer.Ordinal)
            .Select(f => server.Url("/photos/openimages-ibm/" + Path.GetFileName(f))).ToList();
        var manifest = new StringBuilder();
        for (var i = 0; i < 96; i++)
        {
            var url = i % 7 == 3 ? server.Url($"/status/404?i={i}") : i % 11 == 5 ? server.Url("/html") : photos[i % photos.Count] + $"?i={i}";
            manifest.Append($"{url}\tphoto {i} of an aircraft on a runway\n");
        }
        var manifestPath = Path.Combine(_dir, "cc12m.tsv");
        await File.WriteAllTextAsync(manifestPath, manifest.ToString());
        const int shardSize = 12;

        // Reference: uninterrupted, in process.
        var reference = ChildOptions(manifestPath, Path.Combine(_dir, "ref"), "crash", shardSize);
        for (var s = 0; s < IngestStage.CountShards(reference); s++)
            await IngestStage.RunShardAsync(reference, s, null, CancellationToken.None);

        // Crashing child runs, then one to completion.
        var root = Path.Combine(_dir, "crash");
        var random = new Random(12345);
        var kills = 0;
        for (var attempt = 0; attempt < 4; attempt++)
        {
            using var child = StartChild(manifestPath, root, shardSize);
            await Task.Delay(random.Next(400, 2500));
            if (!child.HasExited)
            {
                child.Kill(entireProcessTree: true);
                kills++;
            }
            await child.WaitForExitAsync();
        }
        using (var last = StartChild(manifestPath, root, shardSize))
        {
            var output = last.StandardOutput.ReadToEndAsync();
            var error = last.StandardError.ReadToEndAsync();
            Assert.True(last.WaitForExit(120_000), "final child run did not finish in 120 s");
            Assert.True(last.ExitCode == 0, $"child failed ({last.ExitCode}): {await error}\n{await output}");
        }
        Assert.True(kills >= 1, "no child was killed mid-run; the test proved nothing");

        var expected = await CommittedKeys(reference.Root);
        var actual = await CommittedKeys(root);
        Assert.Equal(96, expected.Count);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        Assert.Equal(expected, actual);   // same key -> same outcome (row or failure reason)

        var report = await DatasetVerifier.VerifyAsync(DatasetStore.Open(root).Dataset("crash"));
        Assert.True(report.Ok, string.Join("; ", report.Bad.Select(b => $"{b.Path}: {b.Problem}")) + report.ManifestProblem);
    }

    /// <summary>Every key of the committed shards: "row" or the failure reason. Fails on a duplicate key.</summary>
    private static async Task<Dictionary<string, string>> CommittedKeys(string root)
    {
        var dataset = DatasetStore.Open(root).Dataset("crash");
        var manifest = await dataset.GetManifestAsync();
        var keys = new Dictionary<string, string>();
        foreach (var entry in manifest.ImageShards)
        {
            await using (var reader = await dataset.OpenImageShardAsync(entry.Index))
                await foreach (var row in reader.ReadRowsAsync(ImageColumns.Key))
                    Assert.True(keys.TryAdd(row.Key, "row"), $"duplicate key {row.Key}");
            foreach (var f in await dataset.ReadFailuresAsync(entry.Index))
                Assert.True(keys.TryAdd(f.Key!, f.Reason), $"duplicate key {f.Key}");
        }
        return keys;
    }

    private static Process StartChild(string manifest, string root, int shardSize)
    {
        var assembly = typeof(ChildProgram).Assembly.Location;
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { assembly, "ingest-child", manifest, root, "crash", shardSize.ToString() }) start.ArgumentList.Add(a);
        return Process.Start(start) ?? throw new InvalidOperationException("could not start the child process");
    }
}
