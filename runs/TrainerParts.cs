using TorchSharp.Modules;

namespace SSeg.Runs;

/// <summary>One optimizer step's result: the loss and learning rate, plus the trainer's own numbers for the metrics log.</summary>
public sealed record StepOutput(double Loss, double LearningRate, IReadOnlyDictionary<string, double> Fields);

/// <summary>A batch with where the data stream stands after it and how many images it holds.</summary>
public sealed record SourcedBatch<TBatch>(TBatch Batch, DataPosition Next, int Images);

/// <summary>A trainer's data: the batches of consecutive optimizer steps, starting at a stored position. The
/// sequence must be a pure function of the position (and the trainer's seed), which is what makes resume exact.</summary>
public interface IBatchSource<TBatch>
{
    IAsyncEnumerable<SourcedBatch<TBatch>> ReadAsync(DataPosition from, long fromStep, CancellationToken ct);
}

/// <summary>A model with its optimiser: how it is saved and loaded in a checkpoint, and one optimizer step.</summary>
public interface ITrainingModel<in TBatch> : IDisposable
{
    OptimizerHelper Optimizer { get; }
    /// <summary>Writes the weights (a self-describing safetensors file) for a checkpoint after <paramref name="step"/> steps.</summary>
    void SaveWeights(string path, long step);
    void LoadWeights(string path);
    /// <summary>Runs step number <paramref name="step"/> (0-based) on <paramref name="batch"/>.</summary>
    StepOutput Step(TBatch batch, long step);
}

/// <summary>What a trainer hands the loop: a model factory, a batch source and the schedule's length.</summary>
public sealed record TrainerParts<TBatch>
{
    /// <summary>Builds the model and optimiser (initial weights); the loop then loads a checkpoint into it when resuming.</summary>
    public required Func<ITrainingModel<TBatch>> CreateModel { get; init; }
    public required IBatchSource<TBatch> Batches { get; init; }
    /// <summary>Length of the learning-rate schedule in steps.</summary>
    public required long TotalSteps { get; init; }
    /// <summary>Steps after which this call stops (≤ <see cref="TotalSteps"/>).</summary>
    public required long StopAt { get; init; }
    /// <summary>Learning rate at a step, for the progress reports at start and end.</summary>
    public required Func<long, double> LearningRateAt { get; init; }
    /// <summary>Epochs of data seen after a number of steps, for a trainer that samples rather than streams epochs (null: the stream's epoch).</summary>
    public Func<long, double>? EpochOf { get; init; }
    /// <summary>Title of the plots (run and dataset, say).</summary>
    public required string PlotTitle { get; init; }
    /// <summary>Metrics fields drawn next to the total loss in plots/loss.png.</summary>
    public IReadOnlyList<string> PlottedLosses { get; init; } = [];
    /// <summary>Extra files a checkpoint folder needs to stand alone (written into the given local folder).</summary>
    public Action<string>? WriteCheckpointFiles { get; init; }
    /// <summary>Trainer fields stored in each checkpoint's trainer.json.</summary>
    public Func<System.Text.Json.Nodes.JsonObject>? CheckpointFields { get; init; }
    /// <summary>First line of the start report (dataset size, device, ...).</summary>
    public string StartMessage { get; init; } = "";
    /// <summary>Last line of the end report (data failures, ...), after the step and checkpoint.</summary>
    public Func<string>? EndMessage { get; init; }
}
