using System.Text.Json;
using SSeg.Shards;
using SSeg.Tests.Common;
using SSeg.Train.Synthetic;
using SSeg.Train.Text;

namespace SSeg.Pipelines.Tests;

/// <summary>Issue 18 item 4 at the CLI: a truncated image shard makes `pseudomask` and `train` end non-zero naming it,
/// after pseudomask did the other shards; `train --skip-bad-shards` trains on the rest. A row group damaged inside a
/// shard is named by `shards verify` and by `train` when it reads it.</summary>
public sealed class BadShardCliTests
{
    private const string Name = "shapes-bad";

    /// <summary>3 shards of 4 generated images (with masks); shard 1's image file is cut in half. Returns its path.</summary>
    private static async Task<string> WriteTruncatedDatasetAsync(string root)
    {
        var dataset = await SyntheticShapes.WriteDatasetAsync(root, Name, images: 12, shards: 3, size: 64, seed: 2);
        await VocabStage.RunAsync(root, Name, 600);
        var path = (await dataset.GetManifestAsync()).Find(ShardNames.ImagesKind, 1)!.Path;
        ShardDamage.TruncateToHalf(ShardDamage.LocalFile(root, dataset, path));
        return path;
    }

    /// <summary>As <see cref="WriteTruncatedDatasetAsync"/>, but shard 1's size, footer and checksum-free checks stay
    /// sound: the page header of its key column is overwritten, which only reading the row group finds.</summary>
    private static async Task<string> WriteDatasetWithDamagedRowGroupAsync(string root)
    {
        var dataset = await SyntheticShapes.WriteDatasetAsync(root, Name, images: 12, shards: 3, size: 64, seed: 2);
        await VocabStage.RunAsync(root, Name, 600);
        var path = (await dataset.GetManifestAsync()).Find(ShardNames.ImagesKind, 1)!.Path;
        await ShardDamage.OverwriteKeyPageHeaderAsync(ShardDamage.LocalFile(root, dataset, path));
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

    [Fact]
    public async Task A_row_group_damaged_inside_a_shard_is_named_by_verify_and_by_train_which_skips_it_when_told()
    {
        var root = RepoPaths.NewTempDir("sseg-cli-damaged-row-group");
        var bad = await WriteDatasetWithDamagedRowGroupAsync(root);
        // The whole epoch (3 steps of 4 of the 12 images), so every shard is read.
        string[] Args(string run) => ["train", "--root", root, "--dataset", Name, "--masks", SyntheticShapes.GeneratorId, "--run", run,
            "--config", "tiny", "--vocab-size", "600", "--batch", "4", "--epochs", "1", "--warmup-epochs", "0",
            "--workers", "2", "--shuffle-buffer", "4", "--device", "cpu", "--threads", "2"];

        var verify = await InvokeAsync("shards", "verify", Name, "--root", root);
        Assert.True(verify.Exit == 1, $"exit {verify.Exit}\n{verify.Output}\n{verify.Error}");
        Assert.Contains($"{Name}: BAD {bad}: SHA-256 ", verify.Output);
        Assert.Contains($"{bad}: row group 1 of 1 unreadable: ", verify.Output);

        // The pre-flight check (size, footer) passes; the read fails: one line naming shard and row group, no stack trace.
        var failed = await InvokeAsync(Args("damaged"));
        Assert.True(failed.Exit == 1, $"exit {failed.Exit}\n{failed.Output}\n{failed.Error}");
        Assert.StartsWith($"error: images shard 1 ({bad}) is unreadable: row group 1 of 1: ", failed.Error);
        Assert.Contains("--skip-bad-shards", failed.Error);
        Assert.DoesNotContain("   at ", failed.Error);

        var skipping = await InvokeAsync([.. Args("damaged-skipping"), "--skip-bad-shards"]);
        Assert.True(skipping.Exit == 0, $"exit {skipping.Exit}\n{skipping.Output}\n{skipping.Error}");
    }
}
