using SSeg.Eval.Datasets;
using SSeg.Eval.Metrics;

namespace SSeg.Eval.Protocol;

/// <summary>A kept prediction with its ground truth, both in scored-class indices (for overlays).</summary>
public sealed record KeptPrediction(EvalSample Sample, LabelMap Prediction, LabelMap GroundTruth);

/// <summary>The result of evaluating one dataset.</summary>
public sealed record DatasetEvaluation(
    string Dataset,
    string Scorer,
    BackgroundProtocol Protocol,
    double? BackgroundThreshold,
    InferenceOptions Inference,
    IReadOnlyList<string> ScoredClassNames,
    SegmentationMetrics Metrics,
    int ImagesListed,
    IReadOnlyList<string> Failures,
    IReadOnlyList<KeptPrediction> KeptPredictions,
    TimeSpan Elapsed)
{
    /// <summary>Where <see cref="BackgroundThreshold"/> came from (an option, a calibration, the dataset default).</summary>
    public string? ThresholdSource { get; init; }

    public double MeanIoU => Metrics.MeanIoU;
    public double AllAccuracy => Metrics.AllAccuracy;
    public double MeanAccuracy => Metrics.MeanAccuracy;
    public IReadOnlyList<ClassResult> PerClass => Metrics.PerClass(ScoredClassNames);

    /// <summary>True when some listed images could not be scored (the mIoU then covers fewer images).</summary>
    public bool Incomplete => Failures.Count > 0;
}
