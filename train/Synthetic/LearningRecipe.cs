using SSeg.Train.Model;
using SSeg.Train.Training;

namespace SSeg.Train.Synthetic;

/// <summary>The small-scale recipe used by the learning test and `bench train --learn`: tiny model, unscaled
/// lr 2e-3 (the paper's 5e-4 at batch 4096 would be far too small at batch 16), no warmup, and project-then-average image embeddings (METHOD.md §10.4: per-query classification
/// at inference then sees the same BatchNorm statistics as training).</summary>
public static class LearningRecipe
{
    public const int TestSteps = 200;

    /// <summary>Seed of the generated training set for a given run seed (the learning test uses seed 1 → 21).</summary>
    public static int DataSeed(int seed) => 20 + seed;

    public static TrainOptions Options(string root, string dataset, string run, int vocabSize, long steps, int batch = 16, int seed = 1) => new()
    {
        Root = root, Dataset = dataset, MaskGenerator = SyntheticShapes.GeneratorId, Run = run,
        Model = SSegModelConfig.Tiny with { ImageEmbedding = ImageEmbeddingOrder.ProjectThenAverage }, VocabSize = vocabSize,
        BatchSize = batch, Accumulation = 1, Epochs = 1000, WarmupEpochs = 0, MaxSteps = steps, ScheduleToMaxSteps = true,
        BaseLr = 2e-3, WarmupLr = 1e-5, MinLr = 1e-5, ScaleLrWithBatch = false, WeightDecay = 0.05,
        ShuffleBuffer = 64, DecodeWorkers = 2, CheckpointEverySteps = 1000, LogEverySteps = 50, Device = "auto", Seed = seed,
    };
}
