using SSeg.Eval.Datasets;
using SSeg.Eval.Scoring;
using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Eval.Tests.Support;

/// <summary>
/// A known model for protocol tests: un-normalizes each window and gives every pixel whose colour is near a VOC
/// class colour a one-hot score for that class; other pixels get a uniform 1/C score (so the GroupViT rule marks
/// them background). Optionally confuses one class with another, or emits a learned background channel.
/// </summary>
internal sealed class ColourScorer : ISegmentationScorer
{
    private readonly bool _learnedBackground;
    private readonly (string From, string To)? _confuse;
    private Tensor? _colours; // [C, 3]
    private IReadOnlyList<string> _names = Array.Empty<string>();

    public ColourScorer(bool learnedBackground = false, (string From, string To)? confuse = null)
    {
        _learnedBackground = learnedBackground;
        _confuse = confuse;
    }

    public string Name => _learnedBackground ? "colour-scorer+bg" : "colour-scorer";
    public Device Device => CPU;
    public bool BackgroundIsLearned => _learnedBackground;
    public int Calls { get; private set; }
    public IReadOnlyList<string> PreparedNames => _names;

    public void Prepare(IReadOnlyList<string> foregroundClassNames)
    {
        _names = foregroundClassNames;
        var colours = new float[foregroundClassNames.Count * 3];
        for (int k = 0; k < foregroundClassNames.Count; k++)
        {
            int vocIndex = EvalClassLists.Voc.ToList().IndexOf(foregroundClassNames[k]);
            if (vocIndex < 1) throw new ArgumentException($"colour scorer knows VOC classes only, not '{foregroundClassNames[k]}'");
            var c = SyntheticVoc.ClassColour(vocIndex);
            colours[3 * k] = c.R; colours[3 * k + 1] = c.G; colours[3 * k + 2] = c.B;
        }
        _colours?.Dispose();
        _colours = tensor(colours, new long[] { foregroundClassNames.Count, 3 });
    }

    public Tensor ScoreWindows(Tensor windows)
    {
        Calls++;
        using var scope = NewDisposeScope();
        var mean = tensor(new[] { 123.675f, 116.28f, 103.53f }, new long[] { 1, 3, 1, 1 });
        var std = tensor(new[] { 58.395f, 57.12f, 57.375f }, new long[] { 1, 3, 1, 1 });
        var rgb = windows * std + mean; // [B,3,h,w]
        long c = _colours!.shape[0];
        // |x − c|² = |x|² − 2 x·c + |c|², without a [B,C,3,h,w] intermediate
        var dist = rgb.pow(2).sum(1, keepdim: true) - 2 * einsum("bxhw,kx->bkhw", rgb, _colours!)
                   + _colours!.pow(2).sum(1).reshape(1, c, 1, 1); // [B,C,h,w]
        var (minDist, nearest) = dist.min(1);
        if (_confuse is var (from, to))
        {
            int f = _names.ToList().IndexOf(from), t = _names.ToList().IndexOf(to);
            nearest = where(nearest.eq(f), full_like(nearest, t), nearest);
        }
        var matched = minDist.lt(40f * 40f).unsqueeze(1); // [B,1,h,w]
        var oneHot = zeros_like(dist).scatter_(1, nearest.unsqueeze(1), ones_like(minDist).unsqueeze(1));
        var uniform = full_like(oneHot, 1f / c);
        var fg = where(matched, oneHot, uniform);
        if (!_learnedBackground) return fg.MoveToOuterDisposeScope();
        var bg = matched.logical_not().to(float32);
        return cat(new[] { bg, fg * matched.to(float32) }, 1).MoveToOuterDisposeScope();
    }

    public void Dispose() => _colours?.Dispose();
}
