namespace SSeg.Train.Training;

/// <summary>Progress of a run, reported after every optimizer step (and once at start/end).</summary>
public sealed record TrainProgress(long Step, long TotalSteps, int Epoch, double Loss, double MaskLoss, double ContrastiveLoss,
    double ImagesPerSecond, double LearningRate, string Message = "");

/// <summary>Outcome of <see cref="TrainStage.RunAsync"/>.</summary>
public sealed record TrainResult(string RunKey, long Steps, string? LastCheckpoint, IReadOnlyList<StepMetrics> Metrics, long DataFailures);
