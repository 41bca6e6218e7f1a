using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SSeg.Shards;
using SSeg.Shards.Commits;
using SSeg.Pipelines.Cli.Shards;

namespace SSeg.Pipelines.Bench;

/// <summary>
/// `bench shards --commits N --committers C`: C processes commit N one-row image shards into one dataset, on a
/// local root and on Azurite, while this process polls the dataset like a barrier job. Prints per backend the
/// commit rate of the first and last 1,000 commits (the protocol's cost must not grow with the dataset), lost and
/// duplicated shards, retries, what each barrier poll fetched, and the time a new process takes to list the dataset.
/// </summary>
internal static class CommitBench
{
    private const int DuplicateEvery = 50;
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    public static async Task<int> RunAsync(int commits, int committers, IReadOnlyList<string> backends, TimeSpan pollInterval, string scratchParent, CancellationToken ct)
    {
        Console.WriteLine($"commit bench: {commits} one-row shards by {committers} committer processes, a barrier poll every {pollInterval.TotalSeconds:0.#} s; " +
                          $"{Environment.ProcessorCount} cores; load {LoadAverage()}");
        var failed = false;
        foreach (var backend in backends)
        {
            var scratch = Path.Combine(scratchParent, $"sseg-commit-bench-{Guid.NewGuid():N}");
            Directory.CreateDirectory(scratch);
            try
            {
                if (backend == "local")
                    failed |= !await RunBackendAsync("local", Path.Combine(scratch, "root"), null, commits, committers, pollInterval, scratch, ct);
                else if (backend == "azurite")
                {
                    var root = $"az://bench{Guid.NewGuid():N}/root";
                    long blobs = 0;
                    Console.WriteLine($"  azurite metadata store: {BenchAzurite.MetadataStore}");
                    using (var azurite = await BenchAzurite.StartAsync(ct))
                    {
                        failed |= !await RunBackendAsync("azurite", root, azurite.ConnectionString, commits, committers, pollInterval, scratch, ct);
                        await foreach (var _ in SSeg.Shards.Storage.StorageFactory.Open(root, azurite.ConnectionString).ListAsync("", ct)) blobs++;
                    }
                    // The same request pattern against the bare emulator, to tell its slowdown from the protocol's.
                    Console.WriteLine($"  azurite alone, fresh emulator, Azure SDK only: {await CommitBenchEmulatorProbe.RunAsync((int)blobs, ct)}");
                }
                else throw new ArgumentException($"Unknown backend '{backend}': use local and/or azurite.");
            }
            finally
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
        return failed ? 1 : 0;
    }

    private static async Task<bool> RunBackendAsync(string backend, string root, string? connectionString, int commits, int committers,
        TimeSpan pollInterval, string scratch, CancellationToken ct)
    {
        var loadBefore = LoadAverage();
        var storage = new CommitBenchTimedStorage(SSeg.Shards.Storage.StorageFactory.Open(root, connectionString));
        var ds = await new DatasetStore(storage).CreateOrOpenAsync("commits", "bench", "bench", ct);
        var processes = new List<(Process Process, string ResultFile)>();
        var started = Stopwatch.StartNew();
        for (var c = 0; c < committers; c++)
        {
            var role = new CommitterRole(root, connectionString, ds.Name, c, committers, commits, DuplicateEvery, Path.Combine(scratch, $"result-{c}.json"));
            var roleFile = Path.Combine(scratch, $"role-{c}.json");
            await File.WriteAllBytesAsync(roleFile, JsonSerializer.SerializeToUtf8Bytes(role), ct);
            processes.Add((StartSelf(["bench", "shards", "--committer-role", roleFile]), role.ResultFile));
        }

        // Poll like a barrier job until every committer has exited.
        var polls = new List<CommitLogRead>();
        var pollCalls = new List<IReadOnlyDictionary<string, StorageCallCost>>();
        while (processes.Any(p => !p.Process.HasExited))
        {
            await Task.Delay(pollInterval, ct);
            var before = storage.Snapshot();
            await ds.ReadIndexAsync(ct);
            pollCalls.Add(CommitBenchTimedStorage.Between(before, storage.Snapshot()));
            polls.Add(ds.LastCommitLogRead!);
        }
        var wall = started.Elapsed;
        var results = new List<CommitterResult>();
        foreach (var (process, resultFile) in processes)
        {
            var stderr = await process.StandardError.ReadToEndAsync(ct);
            if (process.ExitCode != 0 || !File.Exists(resultFile))
                throw new InvalidOperationException($"A committer exited with code {process.ExitCode}: {stderr}");
            results.Add(JsonSerializer.Deserialize<CommitterResult>(await File.ReadAllBytesAsync(resultFile, ct), Json)!);
            process.Dispose();
        }

        var index = await ds.GetIndexAsync(ct);
        polls.Add(ds.LastCommitLogRead!);
        var committed = results.SelectMany(r => r.Attempts).Where(a => a.Outcome == "committed").OrderBy(a => a.FinishedMicros).ToList();
        var listed = index.ImageShards.Select(s => s.Index).ToHashSet();
        var lost = Enumerable.Range(0, commits).Count(i => !listed.Contains(i));
        var duplicated = committed.Count - committed.Select(a => a.Shard).Distinct().Count()
                         + (int)(polls[^1].CommitObjects - index.Kinds.Sum(k => index.ShardsOf(k).Count)) + index.ImageShards.Count(s => s.Index >= commits);
        var window = Math.Min(1000, committed.Count / 2);
        var (first, last) = window < 2 ? (0.0, 0.0) : (Rate(committed, 0, window), Rate(committed, committed.Count - window, window));
        var retries = results.Sum(r => r.Retries);
        var raced = results.SelectMany(r => r.Attempts).Count(a => a.Outcome == "already");

        Console.WriteLine($"commits {backend}: {commits} by {committers} committers, {first:F0}/s first {window}, {last:F0}/s last {window}, " +
                          $"{lost} lost, {duplicated} duplicated, {retries} retries");
        if (duplicated > 0 && backend == "azurite" && BenchAzurite.UsesSqlMetadata)
            Console.WriteLine("  azurite: duplicates on SQL metadata usually mean the database is not SERIALIZABLE, so the emulator's " +
                              "put-if-absent is not atomic (shards/README.md, \"Azurite on an indexed metadata store\")");
        Console.WriteLine($"  {backend}: {wall.TotalSeconds:F1} s wall, {committed.Count / Math.Max(1e-9, wall.TotalSeconds):F0} commits/s overall; " +
                          $"{raced} commits lost a race to another process (already committed), " +
                          $"{results.SelectMany(r => r.Attempts).Count(a => a.Outcome == "skipped")} skipped as committed; last/first {100 * last / Math.Max(1e-9, first):F0} %; " +
                          $"committer peak RSS max {Format.Bytes(results.Max(r => r.PeakRssBytes))}; load {loadBefore} -> {LoadAverage()}");
        var during = polls.Take(polls.Count - 1).ToList();
        if (during.Count > 0)
            Console.WriteLine($"  {backend} barrier polls: {during.Count} during the run, commit objects fetched per poll mean {during.Average(p => p.ObjectsRead):F0} " +
                              $"max {during.Max(p => p.ObjectsRead)} (what changed since the previous poll), poll time mean {during.Average(p => p.Elapsed.TotalMilliseconds):F0} ms " +
                              $"max {during.Max(p => p.Elapsed.TotalMilliseconds):F0} ms, {during.Count(p => p.CheckpointWritten)} checkpoints written, " +
                              $"{during.Count(p => p.FullListing)} full listings of every commit object name (the first, then the dataset's sweep every {Dataset.SweepPeriod.TotalMinutes:F0} min), per other poll (journal) names listed {Describe(during.Where(p => !p.FullListing).Select(p => p.NamesListed))} " +
                              $"in {Describe(during.Where(p => !p.FullListing).Select(p => (long)p.ListCalls))} list calls, minute logs read {Describe(during.Where(p => !p.FullListing).Select(p => (long)p.JournalLogsRead))}, " +
                              $"journal bytes read {Describe(during.Where(p => !p.FullListing).Select(p => p.JournalBytesRead))}, " +
                              $"lines awaited after the poll (read before their objects) {Describe(during.Select(p => (long)p.JournalLinesAwaited))}");
        if (window >= 2)
            Console.WriteLine($"  {backend} storage calls per commit, first {window} -> last {window} (calls x mean ms): " +
                          CompareCalls(committed.Take(window).Select(a => a.Calls).ToList(), committed.Skip(committed.Count - window).Select(a => a.Calls).ToList()));
        var pollWindow = Math.Min(10, pollCalls.Count / 2);
        if (pollWindow > 0)
            Console.WriteLine($"  {backend} storage calls per barrier poll, first {pollWindow} -> last {pollWindow} polls (calls x mean ms): " +
                              CompareCalls(pollCalls.Take(pollWindow).ToList(), pollCalls.Skip(pollCalls.Count - pollWindow).ToList()));
        foreach (var attempt in new[] { 1, 2 })
            Console.WriteLine($"  {backend} list in a new process ({attempt}): {await ListInChildAsync(root, connectionString, ds.Name, ct)}");
        Console.WriteLine($"  {backend} checkpoints: {await ReaderMemoryBench.DescribeCheckpointsAsync(ds, ct)}");
        var report = await ds.VerifyAsync(checksums: false, ct: ct);
        Console.WriteLine($"  {backend} verify: {(report.Ok ? "ok" : "BAD")}, {report.ShardsChecked} shards checked, {report.Orphans.Count} orphans" +
                          (report.ManifestProblem is null ? "" : $", {report.ManifestProblem}"));
        Console.WriteLine($"  {backend} {await CommitBenchLaterPoll.RunAsync(storage, ds.Name, commits, ct)}");
        return lost == 0 && duplicated == 0 && report.Ok;
    }

    /// <summary>Per call kind: mean calls per operation and mean ms per call in each of two windows, plus listed names.</summary>
    private static string CompareCalls(List<IReadOnlyDictionary<string, StorageCallCost>> first, List<IReadOnlyDictionary<string, StorageCallCost>> last)
    {
        string Describe(List<IReadOnlyDictionary<string, StorageCallCost>> ops, string kind)
        {
            var calls = ops.Sum(o => o[kind].Calls);
            var text = $"{(double)calls / Math.Max(1, ops.Count):F1} x {ops.Sum(o => o[kind].Ms) / Math.Max(1, calls):F1} ms";
            return kind == "list" && calls > 0 ? $"{text} ({ops.Sum(o => o[kind].Names) / calls} names)" : text;
        }
        var parts = CommitBenchTimedStorage.Kinds
            .Where(k => k == "list" || first.Concat(last).Any(o => o[k].Calls > 0))   // "list 0.0" stays: whether a commit lists is the question
            .Select(k => $"{k} {Describe(first, k)} -> {Describe(last, k)}");
        var total = $"total {first.Average(o => o.Values.Sum(c => c.Ms)):F1} ms -> {last.Average(o => o.Values.Sum(c => c.Ms)):F1} ms";
        return string.Join(", ", parts.Append(total));
    }

    private static string Describe(IEnumerable<long> values)
    {
        var list = values.ToList();
        return list.Count == 0 ? "-" : $"mean {list.Average():F0} max {list.Max()}";
    }

    /// <summary>
    /// List requests for <paramref name="names"/> names: pages of up to 5,000 on Blob, one directory walk on disk. Computed
    /// here because the poller's storage is the timing wrapper, which the reader's own count does not recognise as Blob.
    /// </summary>
    private static long ListPages(string backend, long names) => backend == "local" ? 1 : Math.Max(1, (names + 4999) / 5000);

    private static double Rate(List<CommitAttempt> sorted, int from, int count) =>
        (count - 1) / Math.Max(1e-9, (sorted[from + count - 1].FinishedMicros - sorted[from].FinishedMicros) / 1e6);

    /// <summary>Runs `bench shards --list-role` in a new process (cold: no reader state, JIT included) and returns its line.</summary>
    private static async Task<string> ListInChildAsync(string root, string? connectionString, string dataset, CancellationToken ct)
    {
        using var process = StartSelf(["bench", "shards", "--list-role", string.Join('\n', root, connectionString ?? "", dataset)]);
        var output = await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return process.ExitCode == 0 ? output.Trim() : $"failed ({process.ExitCode}): {await process.StandardError.ReadToEndAsync(ct)}";
    }

    /// <summary>The list role: what `shards list` and the dashboard's Datasets page do (the dataset's totals, streamed from its log), timed.</summary>
    public static async Task<int> ListAsync(string spec, CancellationToken ct)
    {
        var parts = spec.Split('\n');
        using var self = Process.GetCurrentProcess();
        var cpuBefore = self.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var ds = DatasetStore.Open(parts[0], parts[1].Length == 0 ? null : parts[1]).Dataset(parts[2]);
        var summary = await ds.SummarizeAsync(ct) ?? throw new InvalidOperationException($"no dataset {parts[2]}");
        var elapsed = clock.Elapsed;
        self.Refresh();
        // CPU seconds too: on a shared machine the wall time says more about the other processes than about this one.
        Console.WriteLine($"{summary.ImageShards} shards totalled in {elapsed.TotalSeconds:F2} s wall, {(self.TotalProcessorTime - cpuBefore).TotalSeconds:F2} CPU-s; " +
                          $"peak RSS {Format.Bytes(self.PeakWorkingSet64)}");
        return 0;
    }

    internal static Process StartSelf(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") start.ArgumentList.Add(typeof(CommitBench).Assembly.Location);
        foreach (var a in args) start.ArgumentList.Add(a);
        return Process.Start(start) ?? throw new InvalidOperationException("could not start a bench process");
    }

    internal static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "n/a"; }
    }
}
