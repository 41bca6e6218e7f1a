using SSeg.Selftrain.Data;
using SSeg.Selftrain.Model;

namespace SSeg.Selftrain.Training;

/// <summary>Options of <c>selftrain train</c> (docs/method.md §8.3 defaults: VOC 20k iterations, batch 16, AdamW 1e-4, wd 0.05, decay 0.7).</summary>
public sealed record SelftrainTrainOptions
{
    public required string StorageRoot { get; init; }
    public string? AzureConnectionString { get; init; }
    /// <summary>Dataset written by <c>selftrain label</c>.</summary>
    public required string Dataset { get; init; }
    /// <summary>Label generator id; null = the dataset's only sseg-labels-* generator.</summary>
    public string? GeneratorId { get; init; }
    /// <summary>Run name: checkpoints, config.json, metrics.jsonl, loss.svg and model.safetensors go to &lt;root&gt;/runs/&lt;run&gt;/.</summary>
    public required string Run { get; init; }

    /// <summary>Model shape; empty <see cref="SSegPlusConfig.ClassNames"/> = the classes recorded by the label generator.</summary>
    public SSegPlusConfig Model { get; init; } = new();
    /// <summary>MAE pretraining checkpoint for the backbone (null = random init, for tests only).</summary>
    public string? Pretrained { get; init; }

    public int Iterations { get; init; } = 20000;
    /// <summary>Stop (with a checkpoint) once this many iterations are done, keeping the schedule of <see cref="Iterations"/>.</summary>
    public int? StopAtIteration { get; init; }
    public int BatchSize { get; init; } = 16;
    public double LearningRate { get; init; } = 1e-4;
    public double WeightDecay { get; init; } = 0.05;
    public double LayerDecayRate { get; init; } = 0.7;
    public int WarmupIterations { get; init; } = 1500;
    public double WarmupRatio { get; init; } = 1e-6;
    public double PolyPower { get; init; } = 1.0;
    public double MinLearningRate { get; init; } = 0.0;
    public AugmentOptions Augment { get; init; } = new();

    public int Seed { get; init; } = 0;
    public int CheckpointEvery { get; init; } = 2000;
    /// <summary>Most recent checkpoints kept (older ones are deleted).</summary>
    public int KeepCheckpoints { get; init; } = 3;
    public int LogEvery { get; init; } = 50;
    public string Device { get; init; } = "auto";
    public int? Threads { get; init; }

    public void Validate()
    {
        if (Iterations <= 0) throw new ArgumentException("iterations must be positive");
        // The pyramid-pooling 1×1 bin feeds BatchNorm one value per channel and image: one image gives a zero variance (NaN loss).
        if (BatchSize < 2) throw new ArgumentException($"batch size must be at least 2 (BatchNorm after the 1×1 pyramid-pooling bin), got {BatchSize}");
        if (StopAtIteration is <= 0) throw new ArgumentException("stop-at must be positive");
        if (CheckpointEvery <= 0 || LogEvery <= 0 || KeepCheckpoints <= 0) throw new ArgumentException("checkpoint/log intervals and keep count must be positive");
        if (Augment.CropSize != Model.CropSize)
            throw new ArgumentException($"augmentation crop {Augment.CropSize} differs from the model crop {Model.CropSize}");
    }
}
