using System.CommandLine;
using Spectre.Console;
using SSeg.Models;
using SSeg.Pipelines.Cli.Ingest;
using SSeg.Pipelines.Cli.Shards;
using SSeg.Pipelines.Jobs;
using SSeg.Pseudomask;
using SSeg.Shards;

namespace SSeg.Pipelines.Cli.Pseudomask;

/// <summary>`pseudomask --root R --dataset NAME [generator options] [--shards a-b] [--generator-id ID]` (options from PseudomaskStageOptions) and `pseudomask oracle`.</summary>
internal static class PseudomaskCommand
{
    public static Command Create()
    {
        var command = new Command("pseudomask", "DINO features + k-means pseudo-masks into mask shards (one job per image shard); `oracle` checks their quality on VOC.");
        var root = new RootOptions();
        var declared = new DeclaredCliOptions(PseudomaskStageOptions.All);
        var shards = new Option<string?>("--shards") { Description = "Image shard indices a-b (inclusive), a, a- or -b; default all committed." };
        root.AddTo(command);
        declared.AddTo(command);
        command.Options.Add(shards);
        command.Subcommands.Add(OracleCommand.Create());

        command.SetAction(async (parse, ct) => await Guarded(async () =>
        {
            var context = declared.Context(parse, parse.GetValue(root.Root)!, parse.GetValue(root.ConnectionString));
            var options = DeclaredCliOptions.Build(context, PseudomaskAdapter.BuildUnpinned);
            return await RunAsync(options, parse.GetValue(shards), ct);
        }));
        return command;
    }

    private static async Task<int> RunAsync(PseudomaskOptions options, string? shardRange, CancellationToken ct)
    {
        var all = await PseudomaskStage.ImageShardsAsync(options, ct);
        if (all.Count == 0)
        {
            Console.WriteLine($"Dataset '{options.Dataset}' has no committed image shards.");
            return 0;
        }
        var (first, last) = ShardRange.Parse(shardRange, all.Max() + 1);
        var selected = all.Where(i => i >= first && i <= last).ToList();
        var ds = DatasetStore.Open(options.Root, options.AzureConnectionString).Dataset(options.Dataset);
        var plannedId = options.GeneratorId ?? PseudomaskGenerator.GeneratorIdFor(options.Generator);
        var pending = new List<int>();
        foreach (var shard in selected)
            if (!await ds.IsMaskCommittedAsync(plannedId, shard, ct)) pending.Add(shard);
        if (pending.Count == 0)
        {
            Console.WriteLine($"All {selected.Count} selected shard(s) already have masks/{plannedId}; nothing to do.");
            return 0;
        }
        using var generator = new PseudomaskGenerator(options.Generator, PseudomaskStage.DefaultModelsDir(options.Root),
            message => AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(message)}[/]"));
        var id = options.GeneratorId ?? generator.DefaultGeneratorId();
        Console.WriteLine($"generator {id}: {generator.Backbone.ModelName}, weights {generator.Backbone.CheckpointHash}, " +
                          $"feature {FeatureKinds.Name(options.Generator.Feature)}, K {options.Generator.K}, {generator.Compute}");

        PseudomaskRunResult result = null!;
        await AnsiConsole.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(),
                new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var tasks = new Dictionary<int, ProgressTask>();
                result = await PseudomaskStage.RunShardsAsync(ds, generator, id, selected, shard =>
                {
                    var task = tasks[shard] = ctx.AddTask($"shard {shard:D5}");
                    return new Progress<PseudomaskProgress>(p =>
                    {
                        task.MaxValue = Math.Max(1, p.Total);
                        task.Value = p.Done;
                    });
                }, ct);
                foreach (var summary in result.Shards)
                {
                    var task = tasks[summary.Shard];
                    task.Value = task.MaxValue;
                    task.Description = summary.Skipped ? $"shard {summary.Shard:D5} (already done)" : $"shard {summary.Shard:D5}";
                }
                foreach (var failure in result.Failed) tasks[failure.Shard].Description = $"shard {failure.Shard:D5} (unreadable)";
            });
        var summaries = result.Shards;

        var table = new Table().AddColumns("shard", "status", "images", "masks", "failed", "seconds", "images/s", "decode s", "features s", "k-means s", "png s", "write s");
        foreach (var s in summaries)
        {
            string T(string k) => s.TimingsSeconds.TryGetValue(k, out var v) ? v.ToString("F1") : "";
            table.AddRow(s.Shard.ToString(), s.Skipped ? "skipped" : "done", s.Images.ToString("N0"), s.Masks.ToString("N0"),
                s.Failures.Count.ToString("N0"), s.Seconds.ToString("F1"), s.ImagesPerSecond.ToString("F1"),
                T("decode"), T("features"), T("kmeans"), T("encode"), T("write"));
        }
        AnsiConsole.Write(table);
        foreach (var f in summaries.SelectMany(s => s.Failures).Take(20))
            Console.WriteLine($"no mask for {f.Key}: {f.Reason}: {f.Detail}");
        var failures = summaries.Sum(s => s.Failures.Count);
        Console.WriteLine($"{summaries.Count(s => !s.Skipped)} shard(s) done, {summaries.Count(s => s.Skipped)} skipped, " +
                          $"{summaries.Sum(s => s.Masks):N0} masks, {failures:N0} image(s) without a mask -> masks/{id}");
        if (result.Ok) return 0;
        // The other shards are done and committed; the bad ones are named so they can be re-ingested and rerun.
        await Console.Error.WriteLineAsync($"error: {result.Failed.Count} image shard(s) unreadable, no masks for them:");
        foreach (var failure in result.Failed) await Console.Error.WriteLineAsync($"  {failure.Message}");
        return 1;
    }

    /// <summary>Clear one-line errors for bad input instead of a stack trace; exit code 1.</summary>
    internal static async Task<int> Guarded(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (e is MissingWeightsException or CheckpointMismatchException or ArgumentException or FormatException
                                       or InvalidOperationException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
    }
}
