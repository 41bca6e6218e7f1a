using SSeg.Runs;
using SSeg.Selftrain.Data;
using SSeg.Selftrain.Model;

namespace SSeg.Selftrain.Training;

/// <summary>Options of <c>selftrain train</c> beyond <see cref="RunOptions"/>. The defaults (docs/method.md §8.3: VOC 20k
/// iterations, batch 16, AdamW 1e-4, wd 0.05, layer decay 0.7, 1,500 warmup iterations) are set in one table, the
/// constructor.</summary>
public sealed record SelftrainTrainOptions : RunOptions
{
    public SelftrainTrainOptions() : base(learningRate: 1e-4, checkpointEvery: 2000, logEvery: 50)
    {
        Iterations = 20000;
        BatchSize = 16;
        LayerDecayRate = 0.7;
        WarmupIterations = 1500;
        WarmupRatio = 1e-6;
        PolyPower = 1.0;
        MinLearningRate = 0.0;
        Model = new SSegPlusConfig();
        Augment = new AugmentOptions();
    }

    /// <summary>Dataset written by <c>selftrain label</c>.</summary>
    public required string Dataset { get; init; }
    /// <summary>Label generator id; null = the dataset's only sseg-labels-* generator.</summary>
    public string? GeneratorId { get; init; }
    /// <summary>Model shape; empty <see cref="SSegPlusConfig.ClassNames"/> = the classes recorded by the label generator.</summary>
    public SSegPlusConfig Model { get; init; }
    /// <summary>MAE pretraining checkpoint for the backbone (null = random init, for tests only).</summary>
    public string? Pretrained { get; init; }

    /// <summary>Length of the schedule in iterations (optimizer steps).</summary>
    public int Iterations { get; init; }
    /// <summary>Stop (with a checkpoint) once this many iterations are done, keeping the schedule of <see cref="Iterations"/>.</summary>
    public int? StopAtIteration { get; init; }
    public int BatchSize { get; init; }
    public double LayerDecayRate { get; init; }
    public int WarmupIterations { get; init; }
    /// <summary>Warmup starts at this fraction of the scheduled rate.</summary>
    public double WarmupRatio { get; init; }
    public double PolyPower { get; init; }
    public double MinLearningRate { get; init; }
    public AugmentOptions Augment { get; init; }

    public void Validate()
    {
        ValidateRunOptions();
        if (Iterations <= 0) throw new ArgumentException("iterations must be positive");
        // The pyramid-pooling 1×1 bin feeds BatchNorm one value per channel and image: one image gives a zero variance (NaN loss).
        if (BatchSize < 2) throw new ArgumentException($"batch size must be at least 2 (BatchNorm after the 1×1 pyramid-pooling bin), got {BatchSize}");
        if (StopAtIteration is <= 0) throw new ArgumentException("stop-at must be positive");
        if (Augment.CropSize != Model.CropSize)
            throw new ArgumentException($"augmentation crop {Augment.CropSize} differs from the model crop {Model.CropSize}");
    }
}
