using static TorchSharp.torch;

namespace SSeg.Eval.Scoring;

/// <summary>
/// Turns a checkpoint into a scorer. Each model library (train: S-Seg, selftrain: S-Seg+) implements one;
/// the host registers them in a <see cref="ScorerRegistry"/> so that <c>eval --model CKPT</c> can find the
/// right one without eval knowing any model.
/// </summary>
public interface IScorerFactory
{
    /// <summary>Short identifier used with <c>--model-kind</c> (for example "sseg", "sseg-plus").</summary>
    string Kind { get; }

    /// <summary>
    /// Cheap check (read a header or a sidecar config, never the whole weights) whether this factory
    /// understands the checkpoint.
    /// </summary>
    bool CanLoad(string checkpointPath);

    /// <summary>Loads the checkpoint and returns a scorer ready for <see cref="ISegmentationScorer.Prepare"/>.</summary>
    ISegmentationScorer Load(string checkpointPath, ScorerLoadOptions options);

    /// <summary>The weights file a checkpoint path designates (a run folder means its latest checkpoint), so that
    /// per-checkpoint data such as calibrated thresholds (<c>Stage.StoredThresholds</c>) attach to the exact weights;
    /// null when the factory cannot tell.</summary>
    string? ResolveCheckpointFile(string checkpointPath) => null;
}

/// <summary>Options a factory receives when loading.</summary>
/// <param name="Device">Where the model runs (eval sends windows there).</param>
/// <param name="Settings">Free-form extra settings from the command line (<c>--scorer-option key=value</c>).</param>
public sealed record ScorerLoadOptions(Device Device, IReadOnlyDictionary<string, string> Settings)
{
    /// <summary>dtype of the model's forward pass (<c>--precision</c>); scores still leave the scorer as float32.</summary>
    public SSeg.Models.InferencePrecision Precision { get; init; } = SSeg.Models.InferencePrecision.Fp32;

    public static ScorerLoadOptions Cpu { get; } = new(CPU, new Dictionary<string, string>());
}
