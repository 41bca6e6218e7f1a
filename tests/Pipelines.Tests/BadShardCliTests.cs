using System.Text.Json;
using SSeg.Shards;
using SSeg.Tests.Common;
using SSeg.Train.Synthetic;
using SSeg.Train.Text;

namespace SSeg.Pipelines.Tests;

/// <summary>Issue 18 item 4 at the CLI: a truncated image shard makes `pseudomask` and `train` end non-zero naming it,
/// after pseudomask did the other shards; `train --skip-bad-shards` trains on the rest.</summary>
public sealed class BadShardCliTests
{
    private const string Name = "shapes-bad";

    /// <summary>3 shards of 4 generated images (with masks); shard 1's image file is cut in half. Returns its path.</summary>
    private static async Task<string> WriteTruncatedDatasetAsync(string root)
    {
        var dataset = await SyntheticShapes.WriteDatasetAsync(root, Name, images: 12, shards: 3, size: 64, seed: 2);
        await VocabStage.RunAsync(root, Name, 600);
        var path = (await dataset.GetManifestAsync()).Find(ShardNames.ImagesKind, 1)!.Path;
        await using var stream = new FileStream(Path.Combine(root, dataset.KeyOf(path).Replace('/', Path.DirectorySeparatorChar)), FileMode.Open, FileAccess.Write);
        stream.SetLength(stream.Length / 2);
        return path;
    }

    private static Task<(int Exit, string Output, string Error)> InvokeAsync(params string[] args) => CliRunner.InvokeAsync(args);

    [Fact]
    public async Task Pseudomask_does_the_readable_shards_and_ends_non_zero_naming_the_truncated_one()
    {
        var root = RepoPaths.NewTempDir("sseg-cli-bad-pseudomask");
        var bad = await WriteTruncatedDatasetAsync(root);

        var (exit, output, error) = await InvokeAsync("pseudomask", "--root", root, "--dataset", Name, "--feature", "rgb", "--k", "2",
            "--max-side", "32", "--threads", "2", "--device", "cpu", "--generator-id", "rgb-test");

        Assert.True(exit == 1, $"exit {exit}\n{output}\n{error}");
        Assert.Contains("1 image shard(s) unreadable", error);
        Assert.Contains($"shard 1 ({bad}): ", error);
        var ds = DatasetStore.Open(root).Dataset(Name);
        Assert.True(await ds.IsMaskCommittedAsync("rgb-test", 0));
        Assert.False(await ds.IsMaskCommittedAsync("rgb-test", 1));
        Assert.True(await ds.IsMaskCommittedAsync("rgb-test", 2));
    }

    [Fact]
    public async Task Train_refuses_the_truncated_shard_unless_told_to_skip_it()
    {
        var root = RepoPaths.NewTempDir("sseg-cli-bad-train");
        var bad = await WriteTruncatedDatasetAsync(root);
        string[] Args(string run) => ["train", "--root", root, "--dataset", Name, "--masks", SyntheticShapes.GeneratorId, "--run", run,
            "--config", "tiny", "--vocab-size", "600", "--batch", "4", "--epochs", "1", "--warmup-epochs", "0", "--max-steps", "1",
            "--workers", "2", "--shuffle-buffer", "4", "--device", "cpu", "--threads", "2"];

        var refused = await InvokeAsync(Args("refused"));
        Assert.True(refused.Exit == 1, $"exit {refused.Exit}\n{refused.Output}\n{refused.Error}");
        Assert.Contains($"images shard 1 ({bad})", refused.Error);

        var skipping = await InvokeAsync([.. Args("skipping"), "--skip-bad-shards"]);
        Assert.True(skipping.Exit == 0, $"exit {skipping.Exit}\n{skipping.Output}\n{skipping.Error}");
        using var run = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(root, "runs", "skipping", "run.json")));
        Assert.True(run.RootElement.GetProperty("options").GetProperty("SkipBadShards").GetBoolean());
        Assert.Equal(bad, Assert.Single(run.RootElement.GetProperty("details").GetProperty("skipped_shards").EnumerateArray()).GetProperty("path").GetString());
    }
}
