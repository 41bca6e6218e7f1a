using SSeg.Tests.Common;
using System.Text.Json;
using SSeg.Shards;
using SSeg.Train.Model;
using SSeg.Train.Synthetic;
using SSeg.Train.Text;
using SSeg.Train.Training;

namespace SSeg.Train.Tests.Training;

/// <summary>The trainer checks its input shards before the first step: a truncated image shard is refused by name,
/// or, with SkipBadShards, left out and recorded in run.json.</summary>
public sealed class BadShardTests : IAsyncLifetime
{
    private const string Name = "shapes-bad";
    private readonly string _root = RepoPaths.NewTempDir("sseg-train-bad");
    private string _badPath = "";

    public async Task InitializeAsync()
    {
        // 3 shards of 8 images; shard 1's image file is cut in half after commit, as a partial copy would leave it.
        var dataset = await SyntheticShapes.WriteDatasetAsync(_root, Name, images: 24, shards: 3, size: 96, seed: 3);
        await VocabStage.RunAsync(_root, Name, SyntheticFixture.VocabSize);
        _badPath = (await dataset.GetManifestAsync()).Find(ShardNames.ImagesKind, 1)!.Path;
        ShardDamage.TruncateToHalf(ShardDamage.LocalFile(_root, dataset, _badPath));
    }

    public Task DisposeAsync()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    private TrainOptions Options(string run) => new()
    {
        StorageRoot = _root, Dataset = Name, MaskGenerator = SyntheticShapes.GeneratorId, Run = run,
        Model = SSegModelConfig.Tiny, VocabSize = SyntheticFixture.VocabSize,
        BatchSize = 4, Epochs = 1, WarmupEpochs = 0, MaxSteps = 2, ShuffleBuffer = 8, DecodeWorkers = 2,
        CheckpointEvery = 2, LogEvery = 1, Device = "cpu", Threads = 2, Seed = 1,
    };

    [Fact]
    public async Task Training_refuses_a_truncated_shard_and_names_it_before_the_first_step()
    {
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => TrainStage.RunAsync(Options("refused")));

        Assert.Contains($"images shard 1 ({_badPath})", error.Message);
        Assert.Contains("--skip-bad-shards", error.Message);
        Assert.False(Directory.Exists(Path.Combine(_root, "runs", "refused")), "nothing of the run is written before the check passes");
    }

    [Fact]
    public async Task With_SkipBadShards_training_uses_the_other_shards_and_records_the_skipped_one()
    {
        var result = await TrainStage.RunAsync(Options("skipping") with { SkipBadShards = true });

        Assert.Equal(2, result.Steps);
        Assert.Equal(0, result.DataFailures);
        using var run = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_root, "runs", "skipping", "run.json")));
        Assert.True(run.RootElement.GetProperty("options").GetProperty("SkipBadShards").GetBoolean());
        var details = run.RootElement.GetProperty("details");
        Assert.Equal(16, details.GetProperty("samples").GetInt64()); // shards 0 and 2 only
        var skipped = Assert.Single(details.GetProperty("skipped_shards").EnumerateArray());
        Assert.Equal(1, skipped.GetProperty("index").GetInt32());
        Assert.Equal(_badPath, skipped.GetProperty("path").GetString());
        Assert.Equal(ShardNames.ImagesKind, skipped.GetProperty("kind").GetString());
        Assert.False(string.IsNullOrEmpty(skipped.GetProperty("problem").GetString()));
    }
}
