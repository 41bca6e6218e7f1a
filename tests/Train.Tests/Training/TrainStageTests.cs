using System.Text.Json;
using SSeg.Runs;
using SSeg.Eval.Scoring;
using SSeg.Train.Model;
using SSeg.Train.Scoring;
using SSeg.Train.Synthetic;
using SSeg.Train.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Train.Tests.Training;

public class TrainStageTests(SyntheticFixture fx) : IClassFixture<SyntheticFixture>
{
    private TrainOptions Options(string run, long maxSteps) => new()
    {
        StorageRoot = fx.Root, Dataset = SyntheticFixture.Name, MaskGenerator = SyntheticShapes.GeneratorId, Run = run,
        Model = SSegModelConfig.Tiny, VocabSize = SyntheticFixture.VocabSize,
        BatchSize = 4, Accumulation = 2, Epochs = 2, WarmupEpochs = 0.5, MaxSteps = maxSteps, ScheduleToMaxSteps = false,
        LearningRate = 0.1, ShuffleBuffer = 8, DecodeWorkers = 2, CheckpointEvery = 2, LogEvery = 1, Device = "cpu", Seed = 5,
    };

    [Fact]
    public async Task Training_is_bit_identical_whatever_the_number_of_decode_workers()
    {
        var one = await TrainStage.RunAsync(Options("workers-1", 4) with { DecodeWorkers = 1, Threads = 2 });
        var four = await TrainStage.RunAsync(Options("workers-4", 4) with { DecodeWorkers = 4, Threads = 2 });
        using var a = SSeg.Models.CheckpointLoader.Read(Path.Combine(fx.Root, "runs", "workers-1", "checkpoints", one.LastCheckpoint!, "model.safetensors"),
            new SSeg.Models.CheckpointReadOptions(StripPrefixes: []));
        using var b = SSeg.Models.CheckpointLoader.Read(Path.Combine(fx.Root, "runs", "workers-4", "checkpoints", four.LastCheckpoint!, "model.safetensors"),
            new SSeg.Models.CheckpointReadOptions(StripPrefixes: []));
        Assert.Equal(a.Tensors.Keys.Order(), b.Tensors.Keys.Order());
        foreach (var (key, tensor) in a.Tensors)
            Assert.True(tensor.equal(b[key]).all().item<bool>(), $"{key} differs between 1 and 4 decode workers");
        Assert.Equal(one.Metrics.Select(m => m.Loss), four.Metrics.Select(m => m.Loss));
    }

    [Fact]
    public async Task Resume_from_checkpoint_continues_the_same_loss_curve()
    {
        // 48 samples / (4·2) = 6 steps per epoch; 8 steps cross an epoch boundary.
        var straight = await TrainStage.RunAsync(Options("straight", 8));
        Assert.Equal(8, straight.Steps);
        Assert.Equal(8, straight.Metrics.Count);
        Assert.Equal(1, straight.Metrics[^1].Epoch);

        var first = await TrainStage.RunAsync(Options("resumed", 3));
        Assert.Equal(3, first.Steps);
        var progress = new List<RunProgress>();
        var second = await TrainStage.RunAsync(Options("resumed", 8), new SyncProgress<RunProgress>(progress.Add));
        Assert.Contains(progress, p => p.Message.Contains("resumed from step-00000003"));
        Assert.Equal(8, second.Steps);
        Assert.Equal(straight.Metrics.Select(m => m.Step), second.Metrics.Select(m => m.Step));
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(straight.Metrics[i].Lr, second.Metrics[i].Lr, 12);
            Assert.True(Math.Abs(straight.Metrics[i].Loss - second.Metrics[i].Loss) < 1e-4 * Math.Max(1, straight.Metrics[i].Loss),
                $"step {i + 1}: straight {straight.Metrics[i].Loss} vs resumed {second.Metrics[i].Loss}");
        }

        var runDir = Path.Combine(fx.Root, "runs", "resumed");
        Assert.True(File.Exists(Path.Combine(runDir, "metrics.jsonl")));
        Assert.Equal(8, File.ReadAllLines(Path.Combine(runDir, "metrics.jsonl")).Length);
        PlotAssert.IsDrawnPng(Path.Combine(runDir, "plots", "loss.png"), 900, 500);
        PlotAssert.IsDrawnPng(Path.Combine(runDir, "plots", "lr.png"), 900, 500);
        using (var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "run.json"))))
        {
            Assert.Equal("sseg", run.RootElement.GetProperty("kind").GetString());
            Assert.Equal(5, run.RootElement.GetProperty("seed").GetInt32());
        }
        var lines = MetricsLog.Parse(File.ReadAllText(Path.Combine(runDir, "metrics.jsonl")), "metrics.jsonl");
        Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), lines.Select(l => l.Step));
        Assert.All(lines, l => Assert.True(l.ImagesPerSecond > 0 && l.Elapsed > 0 && double.IsFinite(l.Field("mask")), $"step {l.Step}"));
        var ckpt = Path.Combine(runDir, "checkpoints", "step-00000008");
        foreach (var f in new[] { "model.safetensors", "optimizer.bin", "trainer.json", "bpe.txt.gz" })
            Assert.True(File.Exists(Path.Combine(ckpt, f)), f);
        Assert.False(File.Exists(Path.Combine(runDir, "checkpoints", "step-00000002", "model.safetensors")), "old checkpoints are pruned (keep 3)");
        Assert.True(File.Exists(Path.Combine(runDir, "checkpoints", "step-00000004", "model.safetensors")));

        // Rerunning a finished run is a no-op.
        var again = await TrainStage.RunAsync(Options("resumed", 8));
        Assert.Equal(8, again.Steps);
        Assert.Equal(8, again.Metrics.Count);

        // The checkpoint is an eval scorer.
        var registry = new ScorerRegistry().Register(new SSegScorerFactory());
        Assert.True(new SSegScorerFactory().CanLoad(ckpt));
        Assert.True(new SSegScorerFactory().CanLoad(runDir));
        Assert.False(new SSegScorerFactory().CanLoad(Path.Combine(ckpt, "trainer.json")));
        using var scorer = registry.Load(ckpt, ScorerLoadOptions.Cpu);
        Assert.False(scorer.BackgroundIsLearned);
        Assert.Contains("step 8", scorer.Name);
        scorer.Prepare(SyntheticShapes.Classes);
        using var noGrad = no_grad();
        var scores = scorer.ScoreWindows(randn(2, 3, 48, 70));
        Assert.Equal(new long[] { 2, 3, 48, 70 }, scores.shape);
        // By default background concepts share each pixel's distribution, so the class scores sum to at most 1.
        Assert.NotEmpty(((SSegScorer)scorer).PreparedBackground);
        Assert.True(scores.sum(1).le(1 + 1e-4).all().ToBoolean());
        Assert.True(scores.min().ToDouble() >= 0);

        // The score combination and the background concepts are scorer settings (eval --scorer-option key=value).
        var plain = new ScorerLoadOptions(CPU, new Dictionary<string, string> { ["combination"] = "normalized", ["background"] = "none" });
        using var other = (SSegScorer)registry.Load(ckpt, plain);
        Assert.Equal(ScoreCombination.Normalized, other.Combination);
        other.Prepare(SyntheticShapes.Classes);
        Assert.Empty(other.PreparedBackground);
        var otherScores = other.ScoreWindows(randn(1, 3, 48, 70));
        Assert.True(otherScores.sum(1).allclose(ones(1, 48, 70), 1e-4, 1e-4));
        var bad = new ScorerLoadOptions(CPU, new Dictionary<string, string> { ["combination"] = "softmax" });
        Assert.Contains("softmax", Assert.Throws<ArgumentException>(() => registry.Load(ckpt, bad)).Message);
    }

    [Fact]
    public async Task Missing_vocabulary_names_the_command_to_run()
    {
        var o = Options("novocab", 1) with { VocabSize = 1234 };
        var ex = await Assert.ThrowsAsync<FileNotFoundException>(() => TrainStage.RunAsync(o));
        Assert.Contains("train vocab --dataset shapes --size 1234", ex.Message);
    }

    private sealed class SyncProgress<T>(Action<T> action) : IProgress<T>
    {
        public void Report(T value) => action(value);
    }
}
