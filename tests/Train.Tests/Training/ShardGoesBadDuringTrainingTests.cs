using SSeg.Tests.Common;
using System.Text.Json.Nodes;
using SSeg.Runs;
using SSeg.Shards;
using SSeg.Train.Model;
using SSeg.Train.Synthetic;
using SSeg.Train.Text;
using SSeg.Train.Training;

namespace SSeg.Train.Tests.Training;

/// <summary>A shard that passes the pre-flight check and is then cut short mid-run (a partial re-copy over it): training
/// ends with an error naming the shard and saying what to do, and the checkpoints written so far stay for the resume;
/// with SkipBadShards the run goes on without it and records it in its checkpoints.</summary>
public sealed class ShardGoesBadDuringTrainingTests
{
    private const string Name = "shapes-goes-bad";

    /// <summary>Cuts the file in half at the first report of <paramref name="step"/> or later.</summary>
    private sealed class TruncateAtStep(long step, string file) : IProgress<RunProgress>
    {
        public bool Truncated { get; private set; }

        public void Report(RunProgress value)
        {
            if (Truncated || value.Step < step) return;
            ShardDamage.TruncateToHalf(file);
            Truncated = true;
        }
    }

    private static TrainOptions Options(string root, string run) => new()
    {
        StorageRoot = root, Dataset = Name, MaskGenerator = SyntheticShapes.GeneratorId, Run = run,
        Model = SSegModelConfig.Tiny, VocabSize = SyntheticFixture.VocabSize,
        BatchSize = 4, Epochs = 3, WarmupEpochs = 0, ShuffleBuffer = 8, DecodeWorkers = 2,
        CheckpointEvery = 1, LogEvery = 1, Device = "cpu", Threads = 2, Seed = 1,
    };

    /// <summary>3 shards of 8 images, 6 steps an epoch (every epoch opens every shard again); shard 1's image file is
    /// cut in half when step 2 is reported. Returns that shard's path and the progress that does it.</summary>
    private static async Task<(string Bad, TruncateAtStep Progress)> DatasetTruncatedAtStepTwoAsync(string root)
    {
        var dataset = await SyntheticShapes.WriteDatasetAsync(root, Name, images: 24, shards: 3, size: 96, seed: 3);
        await VocabStage.RunAsync(root, Name, SyntheticFixture.VocabSize);
        var bad = (await dataset.GetManifestAsync()).Find(ShardNames.ImagesKind, 1)!.Path;
        return (bad, new TruncateAtStep(2, ShardDamage.LocalFile(root, dataset, bad)));
    }

    [Fact]
    public async Task With_SkipBadShards_a_shard_truncated_during_training_is_left_out_and_recorded()
    {
        var root = RepoPaths.NewTempDir("sseg-train-goes-bad-skip");
        try
        {
            var (bad, progress) = await DatasetTruncatedAtStepTwoAsync(root);

            var result = await TrainStage.RunAsync(Options(root, "goes-bad-skip") with { Epochs = 2, SkipBadShards = true }, progress);

            Assert.True(progress.Truncated);
            Assert.True(result.Steps > 2, $"{result.Steps} steps");
            var state = JsonNode.Parse(await File.ReadAllTextAsync(
                Path.Combine(root, "runs", "goes-bad-skip", "checkpoints", result.LastCheckpoint!, "trainer.json")))!;
            var skipped = Assert.Single(state["Trainer"]!["skipped_shards_during_training"]!.AsArray());
            Assert.StartsWith($"images shard 1 ({bad}) is unreadable: ", skipped!.GetValue<string>());
        }
        finally
        {
            try { Directory.Delete(root, true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task A_shard_truncated_during_training_ends_it_naming_the_shard_and_keeps_the_checkpoints()
    {
        var root = RepoPaths.NewTempDir("sseg-train-goes-bad");
        try
        {
            var (bad, progress) = await DatasetTruncatedAtStepTwoAsync(root);
            var options = Options(root, "goes-bad");

            var error = await Assert.ThrowsAsync<InvalidDataException>(() => TrainStage.RunAsync(options, progress));

            Assert.True(progress.Truncated);
            Assert.StartsWith($"images shard 1 ({bad}) is unreadable: ", error.Message);
            Assert.Contains("went bad during training", error.Message);
            Assert.Contains("re-ingest the shard", error.Message);
            Assert.Contains("--skip-bad-shards", error.Message);
            var checkpoints = Directory.GetDirectories(Path.Combine(root, "runs", "goes-bad", "checkpoints"));
            Assert.Contains(checkpoints, c => File.Exists(Path.Combine(c, "model.safetensors")));
        }
        finally
        {
            try { Directory.Delete(root, true); } catch (IOException) { }
        }
    }
}
