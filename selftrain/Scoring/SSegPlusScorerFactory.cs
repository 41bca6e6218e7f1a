using SSeg.Eval.Scoring;
using SSeg.Models;
using SSeg.Selftrain.Model;

namespace SSeg.Selftrain.Scoring;

/// <summary>Registers S-Seg+ checkpoints (safetensors with <c>sseg.kind = sseg-plus</c>) with eval's scorer registry.</summary>
public sealed class SSegPlusScorerFactory : IScorerFactory
{
    public string Kind => SSegPlusCheckpoint.Kind;

    public bool CanLoad(string checkpointPath) =>
        SafetensorsFile.HasMetadata(checkpointPath, SSegPlusCheckpoint.KindKey, SSegPlusCheckpoint.Kind);

    public ISegmentationScorer Load(string checkpointPath, ScorerLoadOptions options)
    {
        InferencePrecisions.EnsureSupported(options.Precision, options.Device);   // before any weights are read
        var model = SSegPlusCheckpoint.Load(checkpointPath);
        var step = SafetensorsFile.ReadMetadata(checkpointPath).Get("sseg.step");
        var name = $"S-Seg+ {model.Config.BackboneName}/{model.Config.PatchSize}" + (step is null ? "" : $" step {step}");
        return new SSegPlusScorer(model, options.Device, name, precision: options.Precision);
    }
}
