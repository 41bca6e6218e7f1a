using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using SSeg.Ingest.Images;
using SSeg.Ingest.Manifests;
using SSeg.Ingest.Stage;
using SSeg.Pipelines.Cli.Ingest;

namespace SSeg.Pipelines.Bench;

/// <summary>
/// `bench ingest`: (a) transform only (identify → decode → resize → encode) on one core over the JPEG photos of
/// ../shared/data/photos (not formats/); (b) end to end from a loopback HTTP server: images/s, CPU-seconds per
/// image, peak RSS. The server runs in a child process so its CPU is not counted.
/// </summary>
internal static class IngestBench
{
    public static Command Create()
    {
        var command = new Command("ingest", "Ingest throughput: transform-only on one core, and end to end from a loopback HTTP server.");
        var photos = new Option<string>("--photos") { Description = "Folder of JPEG photos (formats/ is skipped).", DefaultValueFactory = _ => Path.Combine("..", "shared", "data", "photos") };
        var seconds = new Option<double>("--seconds") { Description = "Measuring time of each transform run.", DefaultValueFactory = _ => 10 };
        var requests = new Option<int>("--requests") { Description = "End-to-end requests (0: skip part b).", DefaultValueFactory = _ => 20_000 };
        var failRows = new Option<int>("--failing-rows") { Description = "Extra fast-failing (404) rows in the end-to-end manifest, e.g. 1000000 for the flat-memory check.", DefaultValueFactory = _ => 0 };
        var concurrency = new Option<int>("--concurrency") { Description = "Downloads in flight (part b).", DefaultValueFactory = _ => 64 };
        var heapLimit = new Option<int>("--gc-heap-limit-mb") { Description = "Hard limit on the managed heap in MB for part b (0: none).", DefaultValueFactory = _ => 0 };
        var trace = new Option<bool>("--memory-trace") { Description = "Part b: print RSS, GC-committed and per-generation sizes every 2 s." };
        var serve = new Option<string?>("--serve") { Description = "Internal: run only the photo server for part b.", Hidden = true };
        foreach (var o in new Option[] { photos, seconds, requests, failRows, concurrency, heapLimit, trace, serve }) command.Options.Add(o);
        command.SetAction(async (parse, ct) =>
        {
            var folder = parse.GetValue(photos)!;
            if (parse.GetValue(serve) is { } portFile) { await ServeAsync(folder, portFile, ct); return 0; }
            var files = Directory.GetFiles(folder, "*.jpg", SearchOption.AllDirectories)
                .Where(f => !f.Split(Path.DirectorySeparatorChar).Contains("formats")).Order(StringComparer.Ordinal).ToList();
            if (files.Count == 0) { Console.Error.WriteLine($"no JPEG photos under {folder}"); return 2; }
            TransformOnly(files, TimeSpan.FromSeconds(parse.GetValue(seconds)));
            GcHeapLimit.Apply(parse.GetValue(heapLimit));
            if (parse.GetValue(requests) > 0)
                await EndToEndAsync(folder, files, parse.GetValue(requests), parse.GetValue(failRows), parse.GetValue(concurrency), parse.GetValue(trace), ct);
            return 0;
        });
        return command;
    }

    private static void TransformOnly(List<string> files, TimeSpan duration)
    {
        var data = files.Select(File.ReadAllBytes).ToList();
        Console.WriteLine($"(a) transform only, one core: {data.Count} JPEG photos, {data.Sum(d => d.Length) / 1e6:0.0} MB, default policy " +
                          "keep_ratio 512 only-if-bigger, q95");
        var process = Process.GetCurrentProcess();
        var affinity = OperatingSystem.IsLinux() || OperatingSystem.IsWindows() ? process.ProcessorAffinity : 0;
        if (OperatingSystem.IsLinux() || OperatingSystem.IsWindows()) process.ProcessorAffinity = 1;
        try
        {
            foreach (var policy in new[] { ReencodePolicy.WhenNeeded, ReencodePolicy.Always })
            {
                var processor = new ImageProcessor(new ImageOptions { Reencode = policy });
                foreach (var d in data) processor.Process(d);          // warm-up (JIT)
                var n = 0; var reencoded = 0; var failed = 0;
                var cpu0 = process.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed < duration)
                    foreach (var d in data)
                    {
                        var r = processor.Process(d);
                        n++;
                        if (r.Reencoded) reencoded++;
                        if (!r.Ok) failed++;
                    }
                var wall = clock.Elapsed.TotalSeconds;
                process.Refresh();
                var cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
                Console.WriteLine($"    reencode={policy,-10} {n / wall,7:0.0} images/s   {1000 * cpu / n,6:0.00} ms CPU/image   " +
                                  $"{100.0 * reencoded / n:0}% re-encoded, {failed} failed");
            }
        }
        finally
        {
            if (OperatingSystem.IsLinux() || OperatingSystem.IsWindows()) process.ProcessorAffinity = affinity;
        }
    }

    private static async Task EndToEndAsync(string folder, List<string> files, int requests, int failingRows, int concurrency, bool trace, CancellationToken ct)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"sseg-bench-ingest-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        var portFile = Path.Combine(dir, "port");
        using var server = StartServerProcess(folder, portFile);
        try
        {
            var port = await WaitForPortAsync(portFile, server, ct);
            var rel = files.Select(f => Path.GetRelativePath(folder, f).Replace(Path.DirectorySeparatorChar, '/')).ToList();
            var manifest = Path.Combine(dir, "bench.tsv");
            await using (var w = new StreamWriter(manifest, false, new UTF8Encoding(false)))
            {
                // Unique URLs (a query suffix) so de-duplication keeps them all; failing rows are spread through.
                var total = requests + failingRows;
                var failEvery = failingRows == 0 ? int.MaxValue : Math.Max(1, total / Math.Max(1, failingRows));
                int good = 0, bad = 0;
                for (var i = 0; i < total; i++)
                {
                    if (bad < failingRows && (good >= requests || i % failEvery == 0))
                        await w.WriteAsync($"a missing picture {bad}\thttp://127.0.0.1:{port}/missing/{bad++}\n");
                    else
                        await w.WriteAsync($"a photo of something {good}\thttp://127.0.0.1:{port}/photos/{rel[good % rel.Count]}?n={good++}\n");
                }
            }
            var options = new IngestOptions
            {
                Sources = [new SourceSpec("cc3m", SourceKind.Cc3m, manifest)],
                Dataset = "bench",
                Root = Path.Combine(dir, "root"),
                ShardSize = 10_000,
                DownloadConcurrency = concurrency,
                ProcessWorkers = Environment.ProcessorCount,
                Download = new SSeg.Ingest.Download.DownloadOptions { AllowPrivateAddresses = true, PerHostConcurrency = concurrency, Timeout = TimeSpan.FromSeconds(30) },
            };
            var shards = IngestStage.CountShards(options);
            Console.WriteLine($"(b) end to end: {requests:N0} photo requests + {failingRows:N0} failing rows, {shards} shard(s), " +
                              $"{concurrency} downloads in flight, {options.ProcessWorkers} workers, server in a child process");
            var process = Process.GetCurrentProcess();
            var cpu0 = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            long ok = 0, failed = 0, bytes = 0;
            var rssSamples = new List<long>();
            var heapSamples = new List<long>();
            var tick = 0;
            using var sampler = new Timer(_ =>
            {
                var info = GC.GetGCMemoryInfo();
                lock (rssSamples) { rssSamples.Add(Environment.WorkingSet); heapSamples.Add(info.HeapSizeBytes); }
                if (trace && tick++ % 2 == 0) Console.WriteLine(MemoryLine(clock.Elapsed, info));
            }, null, 0, 1000);
            for (var s = 0; s < shards; s++)
            {
                var o = await IngestStage.RunShardAsync(options, s, null, ct);
                ok += o.Rows; failed += o.Failures; bytes += o.BytesDownloaded;
            }
            var wall = clock.Elapsed.TotalSeconds;
            process.Refresh();
            var cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
            lock (rssSamples)
                if (rssSamples.Count > 4)
                {
                    Console.WriteLine("    RSS over the run (MB):  " + string.Join(" ", Enumerable.Range(1, 8).Select(q => rssSamples[Math.Min(rssSamples.Count - 1, q * rssSamples.Count / 8)] / 1_000_000)));
                    Console.WriteLine("    GC heap after last GC:  " + string.Join(" ", Enumerable.Range(1, 8).Select(q => heapSamples[Math.Min(heapSamples.Count - 1, q * heapSamples.Count / 8)] / 1_000_000)));
                }
            Console.WriteLine($"    {ok:N0} images ok, {failed:N0} failed, {bytes / 1e6:0} MB downloaded in {wall:0.0} s");
            Console.WriteLine($"    {ok / wall,7:0.0} images/s   {1000 * cpu / Math.Max(1, ok),6:0.00} ms CPU/image (all work incl. failures)   " +
                              $"peak RSS {process.PeakWorkingSet64 / 1e6:0} MB, {GC.CollectionCount(2)} gen-2 GCs, " +
                              $"fragmented {GC.GetGCMemoryInfo(GCKind.Any).FragmentedBytes / 1e6:0} MB");
        }
        finally
        {
            try { server.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    /// <summary>One line of --memory-trace: where the process's memory is (MB).</summary>
    private static string MemoryLine(TimeSpan at, GCMemoryInfo info)
    {
        var gens = string.Join("/", Enumerable.Range(0, info.GenerationInfo.Length).Select(g => info.GenerationInfo[g].SizeAfterBytes / 1_000_000));
        var full = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        return $"    t={at.TotalSeconds,5:0}s rss {Environment.WorkingSet / 1_000_000,4} committed {info.TotalCommittedBytes / 1_000_000,4} " +
               $"heap {info.HeapSizeBytes / 1_000_000,4} frag {info.FragmentedBytes / 1_000_000,4} gen0-4 after {gens} " +
               $"last-full heap {full.HeapSizeBytes / 1_000_000} promoted {full.PromotedBytes / 1_000_000} gcs {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} " +
               $"alloc {GC.GetTotalAllocatedBytes() / 1_000_000}";
    }

    private static Process StartServerProcess(string folder, string portFile)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
            start.ArgumentList.Add(typeof(IngestBench).Assembly.Location);
        foreach (var a in new[] { "bench", "ingest", "--photos", Path.GetFullPath(folder), "--serve", portFile }) start.ArgumentList.Add(a);
        return Process.Start(start) ?? throw new InvalidOperationException("could not start the bench server process");
    }

    private static async Task<int> WaitForPortAsync(string portFile, Process server, CancellationToken ct)
    {
        for (var i = 0; i < 300; i++)
        {
            if (File.Exists(portFile) && int.TryParse(await File.ReadAllTextAsync(portFile, ct), out var port)) return port;
            if (server.HasExited) throw new InvalidOperationException($"bench server exited: {await server.StandardError.ReadToEndAsync(ct)}");
            await Task.Delay(100, ct);
        }
        throw new TimeoutException("bench server did not start within 30 s");
    }

    /// <summary>The child: serves the photos from memory on a loopback port, writes the port to a file.</summary>
    private static async Task ServeAsync(string folder, string portFile, CancellationToken ct)
    {
        var cache = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var f in Directory.GetFiles(folder, "*.jpg", SearchOption.AllDirectories))
            cache[Path.GetRelativePath(folder, f).Replace(Path.DirectorySeparatorChar, '/')] = File.ReadAllBytes(f);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(async ctx =>
        {
            var path = ctx.Request.Path.Value ?? "";
            if (path.StartsWith("/photos/", StringComparison.Ordinal) && cache.TryGetValue(path["/photos/".Length..], out var bytes))
            {
                ctx.Response.ContentType = "image/jpeg";
                ctx.Response.ContentLength = bytes.Length;
                await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted);
                return;
            }
            ctx.Response.StatusCode = 404;
        });
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        await File.WriteAllTextAsync(portFile + ".tmp", new Uri(address).Port.ToString(), ct);
        File.Move(portFile + ".tmp", portFile);
        await app.WaitForShutdownAsync(ct);
    }
}
