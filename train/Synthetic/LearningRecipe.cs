using SSeg.Train.Model;
using SSeg.Train.Training;

namespace SSeg.Train.Synthetic;

/// <summary>The small-scale recipe of the learning test and `bench train --learn`: 256 generated scenes, the tiny model,
/// unscaled lr 2e-3 (the paper's 5e-4 at batch 4096 would be far too small at batch 16) after a one-epoch (16-step)
/// linear warmup (without it, the text encoder trained from scratch settles on the wrong words for some seeds:
/// train/README.md, "Background"), project-then-average
/// image embeddings (docs/method.md §10.4: per-query classification at inference then sees the same BatchNorm statistics as
/// training), and two libtorch threads, so that a run gives the same numbers on every machine of one CPU kind.</summary>
public static class LearningRecipe
{
    public const int TestSteps = 200;
    public const int Images = 256;
    public const int VocabSize = 800;
    public const int HeldOutImages = 40;
    public const int Threads = 2;

    /// <summary>Seed of the generated training set for a given run seed (seed 1 → 21).</summary>
    public static int DataSeed(int seed) => 20 + seed;

    public static TrainOptions Options(string root, string dataset, string run, long steps, int batch = 16, int seed = 1) => new()
    {
        Root = root, Dataset = dataset, MaskGenerator = SyntheticShapes.GeneratorId, Run = run,
        Model = SSegModelConfig.Tiny with { ImageEmbedding = ImageEmbeddingOrder.ProjectThenAverage }, VocabSize = VocabSize,
        BatchSize = batch, Accumulation = 1, Epochs = 1000, WarmupEpochs = 1, MaxSteps = steps, ScheduleToMaxSteps = true,
        BaseLr = 2e-3, WarmupLr = 1e-5, MinLr = 1e-5, ScaleLrWithBatch = false, WeightDecay = 0.05,
        ShuffleBuffer = 64, DecodeWorkers = 2, CheckpointEverySteps = 1000, LogEverySteps = 50, Device = "auto", Seed = seed, Threads = Threads,
    };
}
