using System.Text.Json.Serialization;

namespace SSeg.Runs;

/// <summary>
/// The options every trainer has, declared once: where the run lives, how it is seeded, run and logged. A
/// trainer's options record derives from this one and passes its defaults for the rest to the constructor.
/// </summary>
public abstract record RunOptions
{
    /// <summary>The defaults in which trainers differ.</summary>
    protected RunOptions(double learningRate, int checkpointEvery, int logEvery) =>
        (LearningRate, CheckpointEvery, LogEvery) = (learningRate, checkpointEvery, logEvery);

    /// <summary>Storage root: a local folder or <c>az://container/prefix</c>.</summary>
    public required string StorageRoot { get; init; }
    [JsonIgnore] public string? AzureConnectionString { get; init; }
    /// <summary>Run name: everything the run writes goes to <c>&lt;root&gt;/runs/&lt;run&gt;/</c>.</summary>
    public required string Run { get; init; }

    /// <summary>Peak learning rate of the schedule.</summary>
    public double LearningRate { get; init; }
    public double WeightDecay { get; init; } = 0.05;
    public int Seed { get; init; }

    /// <summary>A checkpoint every this many optimizer steps (and at the end, and when cancelled).</summary>
    public int CheckpointEvery { get; init; }
    /// <summary>Most recent checkpoints kept (older ones are deleted; 0 keeps all).</summary>
    public int KeepCheckpoints { get; init; } = 3;
    /// <summary>A metrics line (and fresh plots) every this many steps, and at the end of the schedule.</summary>
    public int LogEvery { get; init; }
    /// <summary>Continue from the run's latest checkpoint when there is one; false starts over in the same folder.</summary>
    public bool Resume { get; init; } = true;

    public string Device { get; init; } = "auto";
    public int? Threads { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad common option.</summary>
    public void ValidateRunOptions()
    {
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new ArgumentException($"learning rate must be positive, got {LearningRate}");
        if (WeightDecay < 0) throw new ArgumentException($"weight decay must be ≥ 0, got {WeightDecay}");
        if (CheckpointEvery <= 0) throw new ArgumentException($"checkpoint interval must be positive, got {CheckpointEvery}");
        if (LogEvery <= 0) throw new ArgumentException($"log interval must be positive, got {LogEvery}");
        if (KeepCheckpoints < 0) throw new ArgumentException($"kept checkpoints must be ≥ 0, got {KeepCheckpoints}");
    }
}
