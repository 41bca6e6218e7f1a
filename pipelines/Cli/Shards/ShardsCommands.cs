using System.CommandLine;
using Spectre.Console;
using Spectre.Console.Rendering;
using SSeg.Shards;

namespace SSeg.Pipelines.Cli.Shards;

/// <summary>The `shards` subcommands. Each prints to the console and returns 0, or 1 for a failed check / bad input.</summary>
internal static class ShardsCommands
{
    public static IEnumerable<Command> All() => [List(), Stats(), Head(), Verify(), Export(), SqlCommand.Create()];

    private static Argument<string> DatasetArgument() => new("dataset") { Description = "Dataset name (see `shards list`)." };

    private static Command List()
    {
        var command = new Command("list", "List the datasets under the root with shard, row, size and failure totals.");
        var root = new RootOptions();
        root.AddTo(command);
        command.SetAction(async (parse, ct) => await Guarded(async () =>
        {
            var store = root.Open(parse);
            var summaries = await new DatasetInspector(store).ListAsync(ct);
            if (summaries.Count == 0)
            {
                Console.WriteLine($"No datasets under {store.Storage.RootUri}.");
                return 0;
            }
            var table = NewTable("dataset", "source", "image shards", "rows", "size", "failures", "mask generators", "updated (UTC)");
            foreach (var s in summaries)
                AddRow(table, s.Name, s.Source ?? "", s.ImageShards.ToString("N0"), s.Rows.ToString("N0"), Format.Bytes(s.Bytes),
                    s.Failures.ToString("N0"), string.Join(", ", s.MaskShardsByGenerator.Select(g => $"{g.Key} ({g.Value})")),
                    s.UpdatedUtc.UtcDateTime.ToString("yyyy-MM-dd HH:mm"));
            AnsiConsole.Write(table);
            return 0;
        }));
        return command;
    }

    private static Command Stats()
    {
        var command = new Command("stats", "Totals, failure reasons and the shard list of one dataset.");
        var dataset = DatasetArgument();
        var root = new RootOptions();
        command.Arguments.Add(dataset);
        root.AddTo(command);
        command.SetAction(async (parse, ct) => await Guarded(async () =>
        {
            var store = root.Open(parse);
            var ds = store.Dataset(parse.GetValue(dataset)!);
            var s = await new DatasetInspector(store).SummarizeAsync(ds.Name, ct);
            Console.WriteLine($"dataset {s.Name}  source {s.Source ?? "-"}  config {s.ConfigHash ?? "-"}  updated {s.UpdatedUtc:u}");
            Console.WriteLine($"image shards {s.ImageShards:N0}  rows {s.Rows:N0}  failures {s.Failures:N0}  stored {Format.Bytes(s.Bytes)}");
            if (s.Rows + s.Failures > 0)
                Console.WriteLine($"success rate {100.0 * s.Rows / (s.Rows + s.Failures):F1}%");
            if (s.FailuresByReason.Count > 0)
            {
                var reasons = NewTable("failure reason", "count", "share");
                foreach (var (reason, count) in s.FailuresByReason.OrderByDescending(r => r.Value))
                    AddRow(reasons, reason, count.ToString("N0"), $"{100.0 * count / s.Failures:F1}%");
                AnsiConsole.Write(reasons);
            }
            await ShardListing.WriteAsync(ds, s, Console.Out, ct);
            return 0;
        }));
        return command;
    }

    private static Command Head()
    {
        var command = new Command("head", "Print the first rows of a dataset (key, size, caption, nouns, verbs, url).");
        var dataset = DatasetArgument();
        var count = new Option<int>("--count", "-n") { Description = "Rows to print.", DefaultValueFactory = _ => 10 };
        var shard = new Option<int?>("--shard") { Description = "Start at this image shard index." };
        var root = new RootOptions();
        command.Arguments.Add(dataset);
        command.Options.Add(count);
        command.Options.Add(shard);
        root.AddTo(command);
        command.SetAction(async (parse, ct) => await Guarded(async () =>
        {
            var ds = root.Open(parse).Dataset(parse.GetValue(dataset)!);
            var table = NewTable("key", "size", "caption", "nouns", "verbs", "url");
            var left = parse.GetValue(count);
            await foreach (var entry in ds.StreamShardsAsync(ShardNames.ImagesKind, Math.Max(0, parse.GetValue(shard) ?? 0), ct))
            {
                if (left <= 0) break;
                await using var reader = await ImageShardReader.OpenAsync(ds.Storage, ds.KeyOf(entry.Path), ct);
                await foreach (var row in reader.ReadRowsAsync(ImageColumns.AllButImage, ct))
                {
                    if (left-- <= 0) break;
                    AddRow(table, row.Key, $"{row.Width}x{row.Height} (from {row.OriginalWidth}x{row.OriginalHeight})", row.Caption,
                        string.Join(", ", row.Nouns), string.Join(", ", row.Verbs), row.Url);
                }
                if (left <= 0) break;   // before the stream reads on
            }
            AnsiConsole.Write(table);
            return 0;
        }));
        return command;
    }

    private static Command Verify()
    {
        var command = new Command("verify",
            "Check every shard listed in the manifest: present, size, readable footer, schema, row count and SHA-256. " +
            "Exit code 1 when any shard is bad.");
        var dataset = new Argument<string?>("dataset") { Description = "Dataset name; omit to verify every dataset.", Arity = ArgumentArity.ZeroOrOne };
        var noChecksum = new Option<bool>("--no-checksum") { Description = "Skip the SHA-256 pass (a full read of every shard)." };
        var root = new RootOptions();
        command.Arguments.Add(dataset);
        command.Options.Add(noChecksum);
        root.AddTo(command);
        command.SetAction(async (parse, ct) => await Guarded(async () =>
        {
            var store = root.Open(parse);
            var names = parse.GetValue(dataset) is { } one ? [one] : await store.ListDatasetsAsync(ct);
            if (names.Count == 0) Console.WriteLine($"No datasets under {store.Storage.RootUri}.");
            var allOk = true;
            foreach (var name in names)
            {
                var report = await store.Dataset(name).VerifyAsync(!parse.GetValue(noChecksum), ct: ct);
                allOk &= report.Ok;
                if (report.ManifestProblem is not null)
                {
                    Console.WriteLine($"{name}: BAD manifest: {report.ManifestProblem}");
                    continue;
                }
                foreach (var bad in report.Bad)
                    Console.WriteLine($"{name}: BAD {bad.Path}: {bad.Problem}");
                foreach (var orphan in report.Orphans)
                    Console.WriteLine($"{name}: note: unlisted file {orphan} (left by a crashed or duplicate writer; ignored by readers)");
                Console.WriteLine($"{name}: {report.ShardsChecked - report.Bad.Count}/{report.ShardsChecked} shards OK" +
                                  (report.Ok ? "" : $", {report.Bad.Count} bad"));
            }
            return allOk ? 0 : 1;
        }));
        return command;
    }

    private static Command Export()
    {
        var command = new Command("export",
            "Write sample images as PNG files, and for rows with a mask also the image with its mask overlaid (<key>.mask.png).");
        var dataset = DatasetArgument();
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Output folder (created).", Required = true };
        var count = new Option<int>("--count", "-n") { Description = "Samples to export.", DefaultValueFactory = _ => 8 };
        var shard = new Option<int?>("--shard") { Description = "Start at this image shard index." };
        var generator = new Option<string?>("--generator") { Description = "Mask generator id (default: the first one that covers the shard)." };
        var root = new RootOptions();
        command.Arguments.Add(dataset);
        foreach (var option in new Option[] { output, count, shard, generator }) command.Options.Add(option);
        root.AddTo(command);
        command.SetAction(async (parse, ct) => await Guarded(async () =>
        {
            var store = root.Open(parse);
            var samples = await new DatasetInspector(store).SampleAsync(parse.GetValue(dataset)!, parse.GetValue(count),
                parse.GetValue(shard), parse.GetValue(generator), ct);
            var dir = parse.GetValue(output)!;
            dir.Create();
            int images = 0, overlays = 0, bad = 0;
            foreach (var sample in samples)
            {
                var name = Format.FileName(sample.Image.Key);
                try
                {
                    await File.WriteAllBytesAsync(Path.Combine(dir.FullName, name + ".png"), MaskOverlay.ToPng(sample.Image.ImageBytes), ct);
                    images++;
                    if (sample.Mask is not null)
                    {
                        await File.WriteAllBytesAsync(Path.Combine(dir.FullName, name + ".mask.png"),
                            MaskOverlay.RenderPng(sample.Image.ImageBytes, sample.Mask.MaskPng), ct);
                        overlays++;
                    }
                }
                catch (InvalidDataException e)
                {
                    bad++;
                    Console.Error.WriteLine($"{sample.Image.Key}: {e.Message}");
                }
            }
            Console.WriteLine($"Wrote {images} images and {overlays} mask overlays to {dir.FullName}" + (bad > 0 ? $"; {bad} rows could not be decoded" : ""));
            return bad > 0 ? 1 : 0;
        }));
        return command;
    }

    /// <summary>Expected problems (unknown dataset, bad root, unreadable files) become one clear line and exit code 1.</summary>
    private static async Task<int> Guarded(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (e is InvalidOperationException or InvalidDataException or ArgumentException or IOException
                                       or Azure.RequestFailedException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static Table NewTable(params string[] headers)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var header in headers) table.AddColumn(new TableColumn(new Text(header)));
        return table;
    }

    private static void AddRow(Table table, params string[] cells) => table.AddRow(cells.Select(c => (IRenderable)new Text(c)));
}
