using SSeg.Eval.Protocol;

namespace SSeg.Eval.Stage;

/// <summary>One dataset of a run: its kind ("voc", "context", "coco-object", "lvis", "imagenet-s") and folder.</summary>
/// <param name="Split">null = the kind's validation split.</param>
/// <param name="BackgroundThreshold">null = the run's threshold, else the dataset's default.</param>
public sealed record DatasetSpec(string Kind, string Root, string? Split = null, double? BackgroundThreshold = null);

/// <summary>What an eval run does: datasets, protocol options, and where the report folder goes (a local folder).</summary>
/// <param name="StoredThresholds">The checkpoint's calibrated thresholds by dataset kind (<see cref="StoredThresholds"/>),
/// used where no threshold is given and the scorer settings match.</param>
/// <param name="ScorerSettings">The scorer settings the run uses (to match stored thresholds).</param>
public sealed record EvalRequest(string RunName, IReadOnlyList<DatasetSpec> Datasets, EvalOptions Options, string ReportDirectory,
    IReadOnlyDictionary<string, StoredThreshold>? StoredThresholds = null, IReadOnlyDictionary<string, string>? ScorerSettings = null)
{
    /// <summary>τ and where it came from for one dataset: <c>--threshold kind=τ</c>, then <c>--threshold τ</c>, then the
    /// checkpoint's calibration for this kind (same scorer settings only), then the dataset's default.</summary>
    public (double? Threshold, string Source) ThresholdFor(DatasetSpec spec)
    {
        if (spec.BackgroundThreshold is double perKind) return (perKind, $"--threshold {spec.Kind}={perKind:0.###}");
        if (Options.BackgroundThreshold is double global) return (global, $"--threshold {global:0.###}");
        if (StoredThresholds is not null && StoredThresholds.TryGetValue(spec.Kind, out var stored))
        {
            if (stored.Fits(ScorerSettings ?? new Dictionary<string, string>())) return (stored.Threshold, stored.Describe());
            return (null, $"dataset default (the stored calibration was made with scorer settings {Format(stored.ScorerSettings)})");
        }
        return (null, "dataset default (GroupViT's value; run `eval calibrate` to fit one)");
    }

    private static string Format(IReadOnlyDictionary<string, string> settings) =>
        settings.Count == 0 ? "none" : string.Join(", ", settings.Select(kv => $"{kv.Key}={kv.Value}"));
}
