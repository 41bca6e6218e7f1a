using SSeg.Eval.Scoring;
using SSeg.Models;
using SSeg.Selftrain.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Selftrain.Scoring;

/// <summary>
/// S-Seg+ as an eval scorer: a closed-set per-pixel classifier whose channel 0 is the learned background
/// (docs/method.md §8.3). Windows of any size work; the backbone interpolates its position embedding.
/// </summary>
public sealed class SSegPlusScorer : ISegmentationScorer
{
    private readonly SSegPlusModel _model;
    private readonly bool _ownsModel;

    public SSegPlusScorer(SSegPlusModel model, Device device, string name, bool ownsModel = true,
        InferencePrecision precision = InferencePrecision.Fp32)
    {
        InferencePrecisions.EnsureSupported(precision, device);
        Precision = precision;
        _model = model;
        _ownsModel = ownsModel;
        Device = device;
        Name = name;
        InferencePrecisions.PrepareForInference(_model, device, precision);
    }

    public string Name { get; }
    public Device Device { get; }
    public InferencePrecision Precision { get; }
    public bool BackgroundIsLearned => true;

    /// <summary>Checks the dataset's foreground names against the model's classes (index 1..), case-insensitively.</summary>
    public void Prepare(IReadOnlyList<string> foregroundClassNames)
    {
        var own = _model.Config.ClassNames.Skip(1).ToArray();
        var mismatch = own.Length != foregroundClassNames.Count
            ? $"the model has {own.Length} foreground classes, the dataset {foregroundClassNames.Count}"
            : own.Zip(foregroundClassNames).Select((p, i) => (p, i))
                .Where(x => !string.Equals(x.p.First, x.p.Second, StringComparison.OrdinalIgnoreCase))
                .Select(x => $"class {x.i + 1} is '{x.p.First}' in the model but '{x.p.Second}' in the dataset").FirstOrDefault();
        if (mismatch is not null)
            throw new InvalidOperationException($"S-Seg+ model '{Name}' cannot score these classes: {mismatch}.");
    }

    public Tensor ScoreWindows(Tensor windows)
    {
        using var noGrad = no_grad();
        if (Precision == InferencePrecision.Fp32) return _model.PredictLogits(windows.to(Device));
        using var scope = NewDisposeScope();
        return _model.PredictLogits(windows.to(Device).to(InferencePrecisions.DType(Precision))).to(float32).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        if (_ownsModel) _model.Dispose();
    }
}
