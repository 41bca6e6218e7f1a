namespace SSeg.Eval.Protocol;

/// <summary>Options of one dataset evaluation.</summary>
public sealed record EvalOptions
{
    public InferenceOptions Inference { get; init; } = new();

    public BackgroundProtocol Protocol { get; init; } = BackgroundProtocol.WithBackground;

    /// <summary>τ of the background rule; null = the dataset's default (VOC 0.95, Context 0.35, COCO-Object 0.95).</summary>
    public double? BackgroundThreshold { get; init; }

    /// <summary>Where <see cref="BackgroundThreshold"/> came from, for the report; null = given by the caller or the dataset default.</summary>
    public string? BackgroundThresholdSource { get; init; }

    /// <summary>Evaluate only the first N samples (quick checks); null = all.</summary>
    public int? MaxImages { get; init; }

    /// <summary>How many predictions (the first ones) to keep for overlay images.</summary>
    public int KeepPredictions { get; init; } = 4;

    /// <summary>Images decoded ahead of the model.</summary>
    public int Prefetch { get; init; } = 4;
}
