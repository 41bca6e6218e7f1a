using Spectre.Console;
using SSeg.Tests.Common;
using SSeg.Train.Synthetic;

namespace SSeg.Pipelines.Tests;

/// <summary>
/// `shards list`, `stats`, `head` and `export` over a dataset of several shards, read through the streamed log: totals,
/// one line per committed shard, rows from a later shard on, and exported masks from the default generator.
/// </summary>
public sealed class ShardsViewsCliTests
{
    [Fact]
    public async Task List_stats_head_and_export_read_the_committed_shards()
    {
        var root = RepoPaths.NewTempDir("sseg-shards-views-cli");
        await DashboardData.WriteAsync(root, "cli-views");   // image shards 0-2 with masks (4 rows each), shard 3 with failures
        var generatorKind = $"masks/{SyntheticShapes.GeneratorId}";

        var (tables, (exit, output, _)) = await WithTablesAsync(() => CliRunner.InvokeAsync("shards", "list", "--root", root));
        Assert.Equal(0, exit);
        Assert.Contains("cli-views", tables);
        Assert.Contains($"{SyntheticShapes.GeneratorId} (3)", tables);

        (tables, (exit, output, _)) = await WithTablesAsync(() => CliRunner.InvokeAsync("shards", "stats", "cli-views", "--root", root));
        Assert.Equal(0, exit);
        Assert.Contains("image shards 4  rows 14  failures 4", output);
        Assert.Contains("http_404", tables);
        var shardLines = output.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(c => c.Length > 2).ToList();
        Assert.Equal([("images", "0"), ("images", "1"), ("images", "2"), ("images", "3"), (generatorKind, "0"), (generatorKind, "1"), (generatorKind, "2")],
            shardLines.Where(c => c[0] == "images" || c[0] == generatorKind).Select(c => (c[0], c[1])));

        (tables, (exit, _, _)) = await WithTablesAsync(() => CliRunner.InvokeAsync("shards", "head", "cli-views", "--shard", "2", "-n", "5", "--root", root));
        Assert.Equal(0, exit);
        Assert.Equal(["synthetic/00002/00000", "synthetic/00002/00001", "synthetic/00002/00002", "synthetic/00002/00003", "synthetic/00003/00000"],
            tables.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("synthetic/", StringComparison.Ordinal)).Select(l => l.Split(' ')[0]));

        var exported = Path.Combine(root, "exported");
        (exit, output, _) = await CliRunner.InvokeAsync("shards", "export", "cli-views", "--shard", "2", "-n", "5", "--out", exported, "--root", root);
        Assert.Equal(0, exit);
        Assert.Contains("Wrote 5 images and 4 mask overlays", output);
        Assert.True(File.Exists(Path.Combine(exported, "synthetic_00002_00003.mask.png")));
        Assert.False(File.Exists(Path.Combine(exported, "synthetic_00003_00000.mask.png")));   // shard 3 has no mask shard

        var (missingExit, _, error) = await CliRunner.InvokeAsync("shards", "stats", "no-such-dataset", "--root", root);
        Assert.Equal(1, missingExit);
        Assert.Contains("'no-such-dataset' does not exist", error);
    }

    /// <summary>Runs a verb with Spectre's console tables written to a wide, plain string (the CLI runner captures only Console.Out).</summary>
    private static async Task<(string Tables, T Result)> WithTablesAsync<T>(Func<Task<T>> run)
    {
        var original = AnsiConsole.Console;
        var tables = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(tables), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 400;
        AnsiConsole.Console = console;
        try
        {
            var result = await run();
            return (tables.ToString(), result);
        }
        finally { AnsiConsole.Console = original; }
    }
}
