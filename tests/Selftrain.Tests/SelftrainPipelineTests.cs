using System.Text.Json;
using SSeg.Eval.Datasets;
using SSeg.Eval.Protocol;
using SSeg.Eval.Scoring;
using SSeg.Eval.Stage;
using SSeg.Models;
using SSeg.Selftrain.Data;
using SSeg.Selftrain.Labeling;
using SSeg.Selftrain.Model;
using SSeg.Selftrain.Training;
using SSeg.Shards;
using SSeg.Tests.Common;
using SSeg.Runs;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace SSeg.Selftrain.Tests;

public class SelftrainPipelineTests(SelftrainPipelineFixture fx, ITestOutputHelper output) : IClassFixture<SelftrainPipelineFixture>
{
    [Fact]
    public async Task LabelJobsWriteImageAndLabelShardsWithTheTeacherRecordedAndRerunsSkip()
    {
        Assert.Equal(3, fx.FirstResults.Count);
        Assert.Equal(SelftrainPipelineFixture.TrainImages, fx.FirstResults.Sum(r => r.Labelled));
        Assert.All(fx.FirstResults, r => Assert.False(r.Skipped));

        var rerun = await SelftrainStage.LabelShardAsync(fx.Label, 1, fx.Registry);
        Assert.True(rerun.Skipped);

        var dataset = DatasetStore.Open(fx.Storage).Dataset(fx.Label.Dataset);
        var manifest = await dataset.GetManifestAsync();
        var generator = Assert.Single(manifest.Generators.Values);
        Assert.Equal(LabelStage.CheckpointHash(fx.Teacher), generator.CheckpointHash);
        Assert.StartsWith("sseg-labels-" + generator.CheckpointHash[..12], generator.Id);
        Assert.Equal(string.Join("|", EvalClassLists.Voc), generator.Extra!["classes"]);
        Assert.Equal(Path.GetFullPath(fx.Teacher), generator.Extra["checkpoint"]);
        Assert.Equal(3, manifest.ImageShards.Count);

        // Teacher labels are full-resolution maps over the VOC ids, mostly agreeing with the ground truth.
        var samples = await LabelledSamples.OpenAsync(fx.Storage, null, fx.Label.Dataset, null);
        Assert.Equal(SelftrainPipelineFixture.TrainImages, samples.Count);
        var voc = new VocDataset(fx.VocRoot, "train");
        long agree = 0, scored = 0;
        var keys = new List<string>();
        await using (var reader = await dataset.OpenMaskShardAsync(generator.Id, 0))
            await foreach (var row in reader.ReadRowsAsync()) keys.Add(row.Key);
        Assert.Equal(voc.Samples.Take(10).Select(s => "voc/" + s.Id), keys);
        for (var row = 0; row < 10; row++)
        {
            var s = await samples.GetAsync(0, row);
            var gt = voc.LoadLabels(voc.Samples[row]);
            Assert.Equal((gt.Width, gt.Height), (s.Width, s.Height));
            for (var i = 0; i < gt.Labels.Length; i++)
            {
                if (gt.Labels[i] == 255) continue;
                scored++;
                if (gt.Labels[i] == s.Labels[i]) agree++;
            }
        }
        Assert.InRange((double)agree / scored, 0.6, 0.99);
    }

    [Fact]
    public void TheTeacherLabelsWithTheThresholdEvalCalibrationStoredForTheTargetKindUnlessOneIsGiven()
    {
        var teacher = StandInTeacherFactory.Write(Path.Combine(fx.Root, "calibrated-teacher.json"));
        Assert.Equal(0.95, SelftrainStage.PlanLabels(fx.Label with { TeacherCheckpoint = teacher }, fx.Registry).Target.BackgroundThreshold);
        var entry = new StoredThreshold(0.42, "voc", "train", 300, 0.6, new Dictionary<string, string>(), DateTimeOffset.UnixEpoch, []);
        StoredThresholds.Write(teacher, "voc", entry);

        var plan = SelftrainStage.PlanLabels(fx.Label with { TeacherCheckpoint = teacher }, fx.Registry);
        Assert.Equal(0.42, plan.Target.BackgroundThreshold);
        Assert.Equal("calibrated on voc:train (300 images, 1970-01-01)", plan.Generator.Extra!["background_threshold_source"]);
        Assert.Equal(0.7, SelftrainStage.PlanLabels(fx.Label with { TeacherCheckpoint = teacher, BackgroundThreshold = 0.7 }, fx.Registry).Target.BackgroundThreshold);
        // A τ fitted to other scores (other scorer settings) is not used.
        var other = fx.Label with { TeacherCheckpoint = teacher, ScorerSettings = new Dictionary<string, string> { ["templates"] = "full" } };
        Assert.Equal(0.95, SelftrainStage.PlanLabels(other, fx.Registry).Target.BackgroundThreshold);
    }

    [Fact]
    public async Task ResumedTrainingEqualsAnUninterruptedRun()
    {
        const string straight = "straight", resumed = "resumed";
        var a = await SelftrainStage.TrainAsync(fx.TrainOptions(straight, 4));
        var b1 = await SelftrainStage.TrainAsync(fx.TrainOptions(resumed, 4) with { StopAtIteration = 2 });
        var b2 = await SelftrainStage.TrainAsync(fx.TrainOptions(resumed, 4));
        Assert.True(a.Finished);
        Assert.False(b1.Finished);
        Assert.Equal((2L, 4L, true), (b2.StartIteration, b2.EndIteration, b2.Finished));

        using var sa = CheckpointLoader.Read(a.ModelPath!, new CheckpointReadOptions(StripPrefixes: []));
        using var sb = CheckpointLoader.Read(b2.ModelPath!, new CheckpointReadOptions(StripPrefixes: []));
        Assert.Equal(sa.Tensors.Keys.Order(), sb.Tensors.Keys.Order());
        foreach (var (key, tensor) in sa.Tensors)
            Assert.True(tensor.equal(sb[key]).all().item<bool>(), $"{key} differs after resume");

        var storage = SSeg.Shards.Storage.StorageFactory.Open(fx.Storage);
        var la = await MetricsLog.ReadAsync(new RunFolder(storage, straight));
        var lb = await MetricsLog.ReadAsync(new RunFolder(storage, resumed));
        Assert.Equal(la.Select(m => (m.Step, m.Loss, m.Lr, m.Field("loss_main"))), lb.Select(m => (m.Step, m.Loss, m.Lr, m.Field("loss_main"))));
        Assert.Equal(4, la.Count);
        var run = new RunFolder(storage, resumed);
        PlotAssert.IsDrawnPng(Path.Combine(fx.Storage, "runs", resumed, "plots", "loss.png"), 900, 500);
        PlotAssert.IsDrawnPng(Path.Combine(fx.Storage, "runs", resumed, "plots", "lr.png"), 900, 500);
        Assert.Equal("step-00000004", await new CheckpointManager(run).LatestAsync(default));
        Assert.Equal(Path.Combine(fx.Storage, "runs", resumed, "model.safetensors"), b2.ModelPath);
    }

    [Fact]
    public async Task StudentTrainedOnTeacherLabelsIsScoredByEvalNextToItsTeacher()
    {
        var result = await SelftrainStage.TrainAsync(fx.TrainOptions("student", 120) with { CheckpointEvery = 60, LogEvery = 10 });
        Assert.True(result.Finished);
        var metrics = await MetricsLog.ReadAsync(new RunFolder(SSeg.Shards.Storage.StorageFactory.Open(fx.Storage), "student"));
        Assert.Equal(12, metrics.Count);

        var voc = new VocDataset(fx.VocRoot, "val");
        var options = new EvalOptions { Inference = SelftrainPipelineFixture.Inference };
        var teacherEval = Evaluate(fx.Teacher, voc, options);
        var studentEval = Evaluate(result.ModelPath!, voc, options);
        var report = new
        {
            teacher_miou = teacherEval.MeanIoU, student_miou = studentEval.MeanIoU,
            teacher_per_class = teacherEval.PerClass.Where(c => !double.IsNaN(c.IoU)).ToDictionary(c => c.Name, c => c.IoU),
            student_per_class = studentEval.PerClass.Where(c => !double.IsNaN(c.IoU)).ToDictionary(c => c.Name, c => c.IoU),
            first_loss = metrics[0].Loss, last_loss = metrics[^1].Loss, train_seconds = result.Seconds,
        };
        var json = JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true });
        output.WriteLine(json);
        File.WriteAllText(Path.Combine(RepoPaths.Artifacts("selftrain"), "teacher-vs-student.json"), json);

        Assert.True(metrics[^1].Loss < metrics[0].Loss, $"loss did not fall: {metrics[0].Loss} -> {metrics[^1].Loss}");
        Assert.Empty(studentEval.Failures);
        Assert.True(studentEval.MeanIoU > 0.45, $"student mIoU {studentEval.MeanIoU:F3} (teacher {teacherEval.MeanIoU:F3})");
        // The self-training claim, on this generated data: the student undoes the teacher's block noise.
        Assert.True(studentEval.MeanIoU > teacherEval.MeanIoU, $"student mIoU {studentEval.MeanIoU:F3} <= teacher {teacherEval.MeanIoU:F3}");
    }

    [Fact]
    public async Task SingleImageBatchesAreRejectedBeforeAnyWork()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => SelftrainStage.TrainAsync(fx.TrainOptions("batch-one", 2) with { BatchSize = 1 }));
        Assert.Contains("batch size must be at least 2", error.Message);
        Assert.False(Directory.Exists(Path.Combine(fx.Storage, "runs", "batch-one", "checkpoints")));
    }

    [Fact]
    public void FactoryRecognisesSSegPlusCheckpointsAndRejectsForeignClassLists()
    {
        var path = Path.Combine(fx.Root, "factory.safetensors");
        using (var model = new SSegPlusModel(TinyConfigs.MaeTiny()))
            SSegPlusCheckpoint.Save(model, path);
        var factory = new Scoring.SSegPlusScorerFactory();
        Assert.True(factory.CanLoad(path));
        Assert.False(factory.CanLoad(fx.Teacher));
        Assert.Same(factory.Kind, fx.Registry.Resolve(path).Kind);
        using var scorer = factory.Load(path, ScorerLoadOptions.Cpu);
        Assert.True(scorer.BackgroundIsLearned);
        scorer.Prepare(["cat", "dog"]);
        var error = Assert.Throws<InvalidOperationException>(() => scorer.Prepare(["cat", "horse"]));
        Assert.Contains("'dog' in the model but 'horse'", error.Message);
        using var _ = no_grad();
        Assert.Equal(new long[] { 2, 3, 48, 64 }, scorer.ScoreWindows(randn(2, 3, 48, 64)).shape);
    }

    private DatasetEvaluation Evaluate(string checkpoint, ISegmentationDataset dataset, EvalOptions options)
    {
        using var scorer = fx.Registry.Load(checkpoint, ScorerLoadOptions.Cpu);
        return SegmentationEvaluator.Evaluate(scorer, dataset, options);
    }
}
