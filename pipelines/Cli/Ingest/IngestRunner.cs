using System.Diagnostics;
using Spectre.Console;
using SSeg.Ingest.Manifests;
using SSeg.Ingest.Stage;

namespace SSeg.Pipelines.Cli.Ingest;

/// <summary>Runs a range of shards one after the other with a progress bar (rate, success ratio, ETA) and prints a summary.</summary>
internal static class IngestRunner
{
    public static async Task<int> RunAsync(IngestOptions options, string? shardRange, bool plain, CancellationToken ct)
    {
        var rows = new ManifestSet(options.Sources, options.Manifest).CountRows();
        var shardCount = ManifestSet.ShardCount(rows, options.ShardSize);
        if (shardCount == 0) throw new InvalidOperationException($"the manifests hold no rows: {options.SourceDescription}");
        var (first, last) = ShardRange.Parse(shardRange, shardCount);
        long RowsOf(int s) => Math.Min(options.ShardSize, rows - (long)s * options.ShardSize);
        var totalRows = Enumerable.Range(first, last - first + 1).Sum(RowsOf);
        AnsiConsole.MarkupLine($"[bold]ingest[/] {Markup.Escape(options.SourceDescription)}: {rows:N0} input rows, {shardCount} shard(s) of {options.ShardSize:N0}; " +
                               $"running {first}-{last} into {Markup.Escape(options.Root)} dataset [bold]{Markup.Escape(options.Dataset)}[/]");

        var outcomes = new List<ShardOutcome>();
        var clock = Stopwatch.StartNew();
        long doneBefore = 0, okBefore = 0;
        if (plain || Console.IsOutputRedirected)
        {
            for (var s = first; s <= last; s++)
            {
                ct.ThrowIfCancellationRequested();
                var o = await IngestStage.RunShardAsync(options, s, null, ct);
                outcomes.Add(o);
                Console.WriteLine(o.Skipped
                    ? $"shard {s:D5}: skipped ({o.Note})"
                    : $"shard {s:D5}: {o.Rows} ok, {o.Failures} failed of {o.InputRows} in {o.Elapsed.TotalSeconds:0.0} s");
            }
        }
        else
        {
            await AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new ElapsedTimeColumn())
                .StartAsync(async progress =>
                {
                    var task = progress.AddTask("starting", maxValue: Math.Max(1, totalRows));
                    for (var s = first; s <= last; s++)
                    {
                        ct.ThrowIfCancellationRequested();
                        var shard = s;
                        var reporter = new InlineProgress(p =>
                        {
                            var done = doneBefore + p.Done;
                            var ok = okBefore + p.Succeeded;
                            task.Value = done;
                            var rate = ok / Math.Max(0.001, clock.Elapsed.TotalSeconds);
                            task.Description = $"shard {shard:D5}  {rate,6:0} img/s  ok {100.0 * ok / Math.Max(1, done),5:0.0}%";
                        });
                        var o = await IngestStage.RunShardAsync(options, s, reporter, ct);
                        outcomes.Add(o);
                        doneBefore += o.Skipped ? RowsOf(s) : o.InputRows;
                        okBefore += o.Skipped ? 0 : o.Rows;
                        task.Value = doneBefore;
                    }
                    task.Description = $"done  {okBefore / Math.Max(0.001, clock.Elapsed.TotalSeconds):0} img/s";
                });
        }
        PrintSummary(outcomes, clock.Elapsed);
        var conflicts = outcomes.Where(o => o.Conflict).Select(o => $"{o.Shard:D5}").ToList();
        if (conflicts.Count == 0) return 0;
        Console.Error.WriteLine($"--retry-failed: shard(s) {string.Join(", ", conflicts)} changed while retrying; nothing replaced there. Run it again.");
        return 3;
    }

    private static void PrintSummary(IReadOnlyList<ShardOutcome> outcomes, TimeSpan elapsed)
    {
        var table = new Table().AddColumns("shard", "input rows", "ok", "failed", "ok %", "seconds", "MB downloaded", "note");
        foreach (var o in outcomes)
            table.AddRow($"{o.Shard:D5}", $"{o.InputRows:N0}", $"{o.Rows:N0}", $"{o.Failures:N0}",
                o.Rows + o.Failures == 0 ? "-" : $"{100.0 * o.Rows / (o.Rows + o.Failures):0.0}",
                o.Skipped ? "-" : $"{o.Elapsed.TotalSeconds:0.0}", o.Skipped ? "-" : $"{o.BytesDownloaded / 1e6:0.0}", Markup.Escape(o.Note ?? ""));
        var ran = outcomes.Where(o => !o.Skipped).ToList();
        table.AddRow("[bold]total[/]", $"{ran.Sum(o => o.InputRows):N0}", $"{outcomes.Sum(o => o.Rows):N0}", $"{outcomes.Sum(o => o.Failures):N0}",
            "", $"{elapsed.TotalSeconds:0.0}", $"{ran.Sum(o => o.BytesDownloaded) / 1e6:0.0}", $"{outcomes.Count - ran.Count} skipped");
        AnsiConsole.Write(table);

        var reasons = ran.SelectMany(o => o.FailuresByReason).GroupBy(kv => kv.Key).Select(g => (Reason: g.Key, Count: g.Sum(kv => kv.Value)))
            .OrderByDescending(r => r.Count).ToList();
        if (reasons.Count > 0)
        {
            var t = new Table().AddColumns("failure reason (this run)", "count");
            foreach (var (reason, count) in reasons) t.AddRow(reason, $"{count:N0}");
            AnsiConsole.Write(t);
        }
    }

    private sealed class InlineProgress(Action<IngestProgress> report) : IProgress<IngestProgress>
    {
        public void Report(IngestProgress value) => report(value);
    }
}
