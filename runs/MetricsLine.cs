namespace SSeg.Runs;

/// <summary>
/// One line of metrics.jsonl: the keys every trainer writes (<c>step</c>, <c>epoch</c>, <c>loss</c>, <c>lr</c>,
/// <c>images_per_second</c>, <c>elapsed</c>, <c>time_utc</c>) and the trainer's own numbers under their own keys.
/// </summary>
public sealed record MetricsLine
{
    /// <summary>Optimizer steps done (1-based: the line after the first step has step 1).</summary>
    public required long Step { get; init; }
    /// <summary>Epochs of data seen when the step ran (whole epochs for a stream trainer, fractional for a sampler).</summary>
    public double Epoch { get; init; }
    public required double Loss { get; init; }
    /// <summary>Learning rate the step used (the largest when parameter groups differ).</summary>
    public double Lr { get; init; }
    /// <summary>Images per wall-clock second since the previous line (data loading included).</summary>
    public double ImagesPerSecond { get; init; }
    /// <summary>Seconds of training since the run began, over every process that worked on it.</summary>
    public double Elapsed { get; init; }
    public DateTimeOffset TimeUtc { get; init; }
    /// <summary>Trainer-specific numbers (S-Seg: mask, itc, ...; S-Seg+: loss_main, loss_aux).</summary>
    public IReadOnlyDictionary<string, double> Fields { get; init; } = new Dictionary<string, double>();

    /// <summary>A trainer-specific number, NaN when this line does not have it.</summary>
    public double Field(string name) => Fields.TryGetValue(name, out var v) ? v : double.NaN;
}
