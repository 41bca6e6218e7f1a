using SSeg.Eval.Protocol;
using SSeg.Eval.Scoring;
using SSeg.Selftrain.Data;
using SSeg.Selftrain.Labeling;
using SSeg.Selftrain.Model;
using SSeg.Selftrain.Scoring;
using SSeg.Selftrain.Training;
using SSeg.Tests.Common;

namespace SSeg.Selftrain.Tests;

/// <summary>Generated VOC folder labelled once by the stand-in teacher into a local storage root (shared by the pipeline tests).</summary>
public sealed class SelftrainPipelineFixture : IDisposable
{
    public const int TrainImages = 24, ValImages = 8, ShardSize = 10;

    /// <summary>Small protocol for CPU: short side 64, 64 windows, stride 32 (same for teacher labels and eval).</summary>
    public static readonly InferenceOptions Inference = new() { ShortSide = 64, LongSideCap = 256, CropSize = 64, Stride = 32 };

    public SelftrainPipelineFixture()
    {
        Root = RepoPaths.NewTempDir("sseg-selftrain");
        VocRoot = SyntheticVoc.Create(Path.Combine(Root, "voc"), TrainImages, ValImages, seed: 5);
        Storage = Path.Combine(Root, "data");
        Teacher = StandInTeacherFactory.Write(Path.Combine(Root, "teacher.json"));
        Registry = new ScorerRegistry().Register(new StandInTeacherFactory()).Register(new SSegPlusScorerFactory());
        Label = new LabelOptions
        {
            StorageRoot = Storage, Dataset = "voc-train-selftrain", TargetLayout = "voc", TargetRoot = VocRoot, Split = "train",
            TeacherCheckpoint = Teacher, Inference = Inference, ShardSize = ShardSize, Device = "cpu",
        };
        var plan = SelftrainStage.PlanLabels(Label, Registry);
        FirstResults = Enumerable.Range(0, plan.Shards)
            .Select(s => SelftrainStage.LabelShardAsync(Label, s, Registry).GetAwaiter().GetResult()).ToList();
    }

    public string Root { get; }
    public string VocRoot { get; }
    public string Storage { get; }
    public string Teacher { get; }
    public ScorerRegistry Registry { get; }
    public LabelOptions Label { get; }
    public IReadOnlyList<LabelShardResult> FirstResults { get; }

    /// <summary>A tiny S-Seg+ (12 blocks of width 32, patch 8, 64 crops) trained on the teacher labels.</summary>
    public SelftrainTrainOptions TrainOptions(string run, int iterations) => new()
    {
        StorageRoot = Storage, Dataset = Label.Dataset, Run = run,
        Model = new SSegPlusConfig
        {
            BackboneName = "vit_test", EmbedDim = 32, Depth = 12, Heads = 2, PatchSize = 8, CropSize = 64,
            HeadChannels = 32, AuxChannels = 16, DropPath = 0.1,
        },
        Iterations = iterations, BatchSize = 4, LearningRate = 1e-3, LayerDecayRate = 0.9, WarmupIterations = 5,
        Augment = new AugmentOptions { ScaleLong = 256, ScaleShort = 64, CropSize = 64 },
        CheckpointEvery = 2, LogEvery = 1, Device = "cpu", Seed = 3,
    };

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
