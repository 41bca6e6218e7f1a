using SSeg.Eval.Metrics;
using SSeg.Eval.Protocol;
using SSeg.Eval.Scoring;
using SSeg.Train.Data;

namespace SSeg.Train.Synthetic;

/// <summary>mIoU of a scorer on held-out generated shapes, through eval's predictor and metrics.</summary>
public static class SyntheticEvaluation
{
    /// <param name="Threshold">τ of the GroupViT background rule used for the with-background figures.</param>
    /// <param name="AllBackgroundMeanIoU">With-background mIoU of predicting background everywhere (the floor a
    /// background-blind or over-cautious threshold falls to).</param>
    public sealed record Result(double Threshold, double MeanIoUWithBackground, double[] IoUWithBackground,
        double MeanIoUForeground, double[] IoUForeground, double AllBackgroundMeanIoU, int Images);

    public static Result Evaluate(ISegmentationScorer scorer, int images, int size, int cropSize, int seed, double threshold = 0.5)
        => Evaluate(scorer, images, size, cropSize, seed, [threshold])[0];

    /// <summary>One result per background threshold; the foreground-only figures are shared.</summary>
    public static IReadOnlyList<Result> Evaluate(ISegmentationScorer scorer, int images, int size, int cropSize, int seed,
        IReadOnlyList<double> thresholds)
    {
        scorer.Prepare(SyntheticShapes.Classes);
        int c = SyntheticShapes.Classes.Length;
        var options = new InferenceOptions { ShortSide = cropSize, LongSideCap = cropSize * 4, Mode = InferenceMode.Whole, CropSize = cropSize, Stride = cropSize / 2 };
        var withBg = thresholds.Select(t => new SegmentationPredictor(scorer, c, options, BackgroundProtocol.WithBackground, t)).ToArray();
        var fgOnly = new SegmentationPredictor(scorer, c, options, BackgroundProtocol.WithoutBackground, 0);
        var mWith = thresholds.Select(_ => new SegmentationMetrics(c + 1)).ToArray();
        var mFg = new SegmentationMetrics(c);
        var mAllBackground = new SegmentationMetrics(c + 1);
        for (int i = 0; i < images; i++)
        {
            using var sample = SyntheticShapes.Generate(size, new Random(ShardTrainStream.Mix(seed, 1_000_003, i)));
            var gt = new LabelMap(size, size, sample.Labels);
            for (int t = 0; t < withBg.Length; t++) mWith[t].Add(withBg[t].Predict(sample.Image), gt);
            mAllBackground.Add(new LabelMap(size, size, new int[size * size]), gt);
            var gtFg = new LabelMap(size, size, sample.Labels.Select(l => l == 0 ? 255 : l - 1).ToArray());
            mFg.Add(fgOnly.Predict(sample.Image), gtFg);
        }
        return thresholds.Select((t, i) => new Result(t, mWith[i].MeanIoU, mWith[i].PerClassIoU(), mFg.MeanIoU, mFg.PerClassIoU(),
            mAllBackground.MeanIoU, images)).ToArray();
    }
}
