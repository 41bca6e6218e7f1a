namespace SSeg.Runs;

/// <summary>Progress of a run, reported after every optimizer step and once at start and end (with a message).</summary>
/// <param name="Fields">The trainer's own numbers of the last step (empty at start).</param>
public sealed record RunProgress(long Step, long TotalSteps, double Epoch, double Loss, double LearningRate, double ImagesPerSecond,
    IReadOnlyDictionary<string, double> Fields, string Message = "")
{
    public double Field(string name) => Fields.TryGetValue(name, out var v) ? v : double.NaN;
}

/// <summary>What the loop did.</summary>
/// <param name="StartStep">Steps already done when this call began (resumed from a checkpoint).</param>
/// <param name="LastCheckpoint">Name of the newest checkpoint (e.g. <c>step-00001000</c>).</param>
/// <param name="Metrics">Every metrics line of the run so far, this call's included.</param>
/// <param name="LastLoss">Loss of this call's last step (NaN when it ran none).</param>
public sealed record RunOutcome(long StartStep, long Steps, string? LastCheckpoint, IReadOnlyList<MetricsLine> Metrics, double LastLoss, double Seconds);
