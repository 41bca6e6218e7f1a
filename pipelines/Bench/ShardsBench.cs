using System.CommandLine;
using System.Diagnostics;
using SSeg.Shards;
using SSeg.Shards.Storage;
using SSeg.Pipelines.Cli.Shards;

namespace SSeg.Pipelines.Bench;

/// <summary>
/// `bench shards`: writes ~N MB of image rows (real JPEGs, cycled) as image shards, reads them back with all
/// columns, and copies the same files with a plain buffered copy on the same disk (the practical limit).
/// Prints MB/s, CPU seconds and peak RSS of each phase; all phases run --passes times (pass 1 includes JIT tiering).
/// </summary>
internal static class ShardsBench
{
    public static Command Create()
    {
        var command = new Command("shards",
            "Shard write/read throughput vs a plain sequential copy of the same bytes on the same disk, with peak RSS.");
        var size = new Option<int>("--size") { Description = "MB of image rows to write.", DefaultValueFactory = _ => 2048 };
        var shardMb = new Option<int>("--shard-mb") { Description = "Target MB per shard.", DefaultValueFactory = _ => 512 };
        var rowGroupMb = new Option<int>("--row-group-mb") { Description = "Row group target MB.", DefaultValueFactory = _ => (int)(ShardWriterOptions.Default.RowGroupTargetBytes >> 20) };
        var photos = new Option<DirectoryInfo?>("--photos") { Description = "Folder of JPEGs (recursive; default ../shared/data/photos beside the repository)." };
        var dir = new Option<DirectoryInfo?>("--dir") { Description = "Scratch folder (default: the system temp folder); removed afterwards." };
        var passes = new Option<int>("--passes") { Description = "Times to run all phases; pass 1 includes tiered JIT compilation (~2 CPU-s once per process), later passes are the steady state.", DefaultValueFactory = _ => 2 };
        var commits = new Option<int>("--commits") { Description = "Instead of throughput: commit this many one-row shards from several processes (CommitBench)." };
        var committers = new Option<int>("--committers") { Description = "Committer processes for --commits.", DefaultValueFactory = _ => 8 };
        var backends = new Option<string>("--backends") { Description = "Backends for --commits: local, azurite or both (comma-separated).", DefaultValueFactory = _ => "local,azurite" };
        var pollEvery = new Option<double>("--poll-every")
        {
            Description = "Seconds between the barrier polls --commits makes while the committers run (default: a host's Jobs:BarrierIntervalSeconds default).",
            DefaultValueFactory = _ => new SSeg.Pipelines.Hosting.JobSettings().BarrierIntervalSeconds,
        };
        var committerRole = new Option<string?>("--committer-role") { Description = "Internal: run one committer of --commits.", Hidden = true };
        var listRole = new Option<string?>("--list-role") { Description = "Internal: list a dataset in a fresh process for --commits.", Hidden = true };
        var readers = new Option<string?>("--readers") { Description = "Instead of throughput: the memory a new process needs to read a dataset of each of these shard counts (comma-separated, e.g. 10000,100000), whole and streamed (ReaderMemoryBench)." };
        var readerRole = new Option<string?>("--reader-role") { Description = "Internal: read a dataset in a fresh process for --readers.", Hidden = true };
        foreach (var option in new Option[] { size, shardMb, rowGroupMb, photos, dir, passes, commits, committers, backends, pollEvery, committerRole, listRole, readers, readerRole }) command.Options.Add(option);
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(committerRole) is { } role) return await CommitBenchCommitter.RunAsync(role, ct);
            if (parse.GetValue(listRole) is { } list) return await CommitBench.ListAsync(list, ct);
            if (parse.GetValue(readerRole) is { } reader) return await ReaderMemoryBench.ReadAsync(reader, ct);
            if (parse.GetValue(readers) is { } sizes)
            {
                var counts = sizes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(s => int.TryParse(s, out var n) && n > 0 ? n : throw new ArgumentException($"--readers: '{s}' is not a positive shard count.")).ToList();
                return await ReaderMemoryBench.RunAsync(counts, parse.GetValue(dir)?.FullName ?? Path.GetTempPath(), ct);
            }
            if (parse.GetValue(commits) > 0)
                return await CommitBench.RunAsync(parse.GetValue(commits), Math.Max(1, parse.GetValue(committers)),
                    parse.GetValue(backends)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                    TimeSpan.FromSeconds(Math.Max(0.1, parse.GetValue(pollEvery))), parse.GetValue(dir)?.FullName ?? Path.GetTempPath(), ct);
            var photoDir = parse.GetValue(photos)?.FullName ?? FindPhotos();
            var scratch = Path.Combine(parse.GetValue(dir)?.FullName ?? Path.GetTempPath(), $"sseg-bench-{Guid.NewGuid():N}");
            try
            {
                await RunAsync(photoDir, scratch, parse.GetValue(size) * (1L << 20), parse.GetValue(shardMb) * (1L << 20),
                    parse.GetValue(rowGroupMb) * (1L << 20), Math.Max(1, parse.GetValue(passes)), ct);
                return 0;
            }
            finally
            {
                if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
            }
        });
        return command;
    }

    private static string FindPhotos()
    {
        for (var d = new DirectoryInfo(Directory.GetCurrentDirectory()); d is not null; d = d.Parent)
        {
            var candidate = Path.Combine(d.FullName, "..", "shared", "data", "photos");
            if (Directory.Exists(candidate)) return Path.GetFullPath(candidate);
            candidate = Path.Combine(d.FullName, "shared", "data", "photos");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("No ../shared/data/photos found above the working directory; pass --photos.");
    }

    private static async Task RunAsync(string photoDir, string scratch, long totalBytes, long shardBytes, long rowGroupBytes, int passes, CancellationToken ct)
    {
        var jpegs = Directory.GetFiles(photoDir, "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(File.ReadAllBytes).ToArray();
        if (jpegs.Length == 0) throw new FileNotFoundException($"No *.jpg under {photoDir}.");
        Console.WriteLine($"{jpegs.Length} JPEGs ({Format.Bytes(jpegs.Sum(j => (long)j.Length))}) from {photoDir}; " +
                          $"writing {Format.Bytes(totalBytes)} in shards of ~{Format.Bytes(shardBytes)}, row groups ~{Format.Bytes(rowGroupBytes)}; scratch {scratch}; " +
                          $"{Environment.ProcessorCount} cores, {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC");
        var store = DatasetStore.Open(scratch);
        var options = new ShardWriterOptions { RowGroupTargetBytes = rowGroupBytes };
        for (var pass = 1; pass <= passes; pass++)
        {
            Console.WriteLine(pass == 1 ? "pass 1 (cold process: includes tiered JIT compilation)" : $"pass {pass} (steady state)");
            var ds = await store.CreateOrOpenAsync($"bench-{pass}", "bench", "bench");
            await RunPassAsync(store, ds, jpegs, Path.Combine(scratch, $"plain-{pass}"), totalBytes, shardBytes, options, ct);
            Directory.Delete(Path.Combine(scratch, "datasets", $"bench-{pass}"), recursive: true);
        }
    }

    private static async Task RunPassAsync(DatasetStore store, Dataset ds, byte[][] jpegs, string plainDir, long totalBytes, long shardBytes,
        ShardWriterOptions options, CancellationToken ct)
    {
        // Plain sequential write of the same bytes (the JPEGs in row order), 1 MiB writes + fsync: the disk's write limit.
        Directory.CreateDirectory(plainDir);
        var plainFile = Path.Combine(plainDir, "plain-write.bin");
        ResetPeakRss();
        var clock = Stopwatch.StartNew();
        long plainBytes = 0;
        await using (var plain = new FileStream(plainFile, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
        {
            for (long i = 0; plainBytes < totalBytes; i++)
            {
                var jpeg = jpegs[i % jpegs.Length];
                await plain.WriteAsync(jpeg, ct);
                plainBytes += jpeg.Length;
            }
            plain.Flush(flushToDisk: true);
        }
        Report("plain write", plainBytes, clock.Elapsed.TotalSeconds, PeakRssBytes(), "same JPEG bytes, 1 MiB buffer, fsync");
        File.Delete(plainFile);

        // Write shards.
        ResetPeakRss();
        clock.Restart();
        var (written, rows, commitSeconds) = await WriteShardsAsync(ds, jpegs, totalBytes, shardBytes, options, ct);
        var writeSeconds = clock.Elapsed.TotalSeconds;
        var writePeak = PeakRssBytes();
        var manifest = await ds.GetManifestAsync(ct);
        var fileBytes = manifest.Shards.Sum(s => s.Bytes);
        Report("write shards", fileBytes, writeSeconds, writePeak,
            $"{rows:N0} rows, {manifest.Shards.Count} shards; commits incl. last row group + fsync {commitSeconds:F1} s");

        // Read all columns back.
        ResetPeakRss();
        clock.Restart();
        var (readRows, readImageBytes) = await ReadShardsAsync(ds, ct);
        var readSeconds = clock.Elapsed.TotalSeconds;
        if (readRows != rows || readImageBytes != written)
            throw new InvalidDataException($"Read back {readRows} rows / {readImageBytes} B, wrote {rows} / {written} B.");
        Report("read shards", fileBytes, readSeconds, PeakRssBytes(), "all columns");

        // Plain copy of the same files on the same disk: 1 MiB buffered read + write + fsync, like the writer.
        // Shards are written and read with O_DIRECT, so they are not in the page cache: read them once (untimed)
        // so the copy's source is cached, the most favourable case for the reference.
        var local = (LocalStorage)store.Storage;
        var paths = manifest.ImageShards.Select(e => local.PathOf(ds.KeyOf(e.Path))).ToList();
        var buffer = new byte[1 << 20];
        foreach (var path in paths)
        {
            await using var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            while (await source.ReadAsync(buffer, ct) > 0) { }
        }
        ResetPeakRss();
        clock.Restart();
        for (var i = 0; i < paths.Count; i++)
        {
            await using var source = new FileStream(paths[i], FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            await using var target = new FileStream(Path.Combine(plainDir, $"{i}.bin"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
            int n;
            while ((n = await source.ReadAsync(buffer, ct)) > 0) await target.WriteAsync(buffer.AsMemory(0, n), ct);
            target.Flush(flushToDisk: true);
        }
        var copySeconds = clock.Elapsed.TotalSeconds;
        Report("plain copy", fileBytes, copySeconds, PeakRssBytes(), "cached read+write+fsync, 1 MiB buffer");
        Directory.Delete(plainDir, recursive: true);

        var copyRate = fileBytes / copySeconds;
        Console.WriteLine($"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} on {Environment.ProcessorCount} cores");
        Console.WriteLine($"write = {100 * fileBytes / writeSeconds / copyRate:F0}% of plain copy, read = {100 * fileBytes / readSeconds / copyRate:F0}% of plain copy " +
                          "(the disk's rate varies run to run; compare within one run)");
    }

    /// <summary>Writes image rows (the JPEGs cycled) until <paramref name="totalBytes"/> of image bytes, in shards of
    /// ~<paramref name="shardBytes"/>; returns image bytes, rows and the seconds spent in commits.</summary>
    private static async Task<(long Bytes, long Rows, double CommitSeconds)> WriteShardsAsync(Dataset ds, byte[][] jpegs,
        long totalBytes, long shardBytes, ShardWriterOptions options, CancellationToken ct)
    {
        var commitClock = new Stopwatch();
        long written = 0, rows = 0;
        for (var shard = 0; written < totalBytes; shard++)
        {
            await using var writer = await ds.CreateImageShardWriterAsync(shard, options, ct);
            long inShard = 0;
            for (var row = 0; inShard < shardBytes && written < totalBytes; row++, rows++)
            {
                var jpeg = jpegs[rows % jpegs.Length];
                await writer.AddAsync(new ImageRow(SampleKey.Format("bench", shard, row), jpeg, $"caption of photo {rows % jpegs.Length}",
                    ["photo", "thing"], ["stand"], $"https://example.com/{rows}.jpg", "bench", 512, 384, 1024, 768, "0123", null), ct);
                inShard += jpeg.Length;
                written += jpeg.Length;
            }
            commitClock.Start();
            await writer.CommitAsync(ct);
            commitClock.Stop();
        }
        return (written, rows, commitClock.Elapsed.TotalSeconds);
    }

    /// <summary>Reads every image shard with all columns; returns rows and image bytes.</summary>
    private static async Task<(long Rows, long ImageBytes)> ReadShardsAsync(Dataset ds, CancellationToken ct)
    {
        long rows = 0, imageBytes = 0;
        foreach (var entry in (await ds.GetManifestAsync(ct)).ImageShards)
        {
            await using var reader = await ds.OpenImageShardAsync(entry.Index, ct);
            await foreach (var group in reader.ReadRowGroupsAsync(ImageColumns.All, ct))
                foreach (var row in group)
                {
                    rows++;
                    imageBytes += row.ImageBytes.Length;
                }
        }
        return (rows, imageBytes);
    }

    private static TimeSpan _cpuMark = Process.GetCurrentProcess().TotalProcessorTime;

    /// <summary>Prints one phase. CPU seconds (all threads) are printed too: unlike MB/s they do not depend on what
    /// else the machine is doing.</summary>
    private static void Report(string phase, long bytes, double seconds, long peakRss, string note)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var cpuSeconds = (cpu - _cpuMark).TotalSeconds;
        _cpuMark = cpu;
        Console.WriteLine($"{phase,-13} {bytes / 1e6,9:F0} MB in {seconds,7:F2} s = {bytes / 1e6 / seconds,8:F1} MB/s   " +
                          $"CPU {cpuSeconds,6:F1} s   peak RSS {peakRss / 1e6,7:F0} MB   ({note})");
    }

    /// <summary>Linux: writing 5 to clear_refs resets VmHWM, so each phase reports its own peak.</summary>
    private static void ResetPeakRss()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        _cpuMark = Process.GetCurrentProcess().TotalProcessorTime;
    }

    private static long PeakRssBytes()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            if (line is not null) return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        }
        catch (IOException) { }
        return Process.GetCurrentProcess().PeakWorkingSet64;
    }
}
