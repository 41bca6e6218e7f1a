using SSeg.Eval.Metrics;
using SSeg.Eval.Protocol;
using SSeg.Eval.Scoring;
using SSeg.Train.Data;

namespace SSeg.Train.Synthetic;

/// <summary>mIoU of a scorer on held-out generated shapes, through eval's predictor and metrics.</summary>
public static class SyntheticEvaluation
{
    public sealed record Result(double MeanIoUWithBackground, double[] IoUWithBackground, double MeanIoUForeground, double[] IoUForeground, int Images);

    /// <param name="threshold">Background threshold τ of the GroupViT rule for the with-background protocol.</param>
    public static Result Evaluate(ISegmentationScorer scorer, int images, int size, int cropSize, int seed, double threshold = 0.5)
    {
        scorer.Prepare(SyntheticShapes.Classes);
        int c = SyntheticShapes.Classes.Length;
        var options = new InferenceOptions { ShortSide = cropSize, LongSideCap = cropSize * 4, Mode = InferenceMode.Whole, CropSize = cropSize, Stride = cropSize / 2 };
        var withBg = new SegmentationPredictor(scorer, c, options, BackgroundProtocol.WithBackground, threshold);
        var fgOnly = new SegmentationPredictor(scorer, c, options, BackgroundProtocol.WithoutBackground, threshold);
        var mWith = new SegmentationMetrics(c + 1);
        var mFg = new SegmentationMetrics(c);
        for (int i = 0; i < images; i++)
        {
            using var sample = SyntheticShapes.Generate(size, new Random(ShardTrainStream.Mix(seed, 1_000_003, i)));
            var gt = new LabelMap(size, size, sample.Labels);
            mWith.Add(withBg.Predict(sample.Image), gt);
            var gtFg = new LabelMap(size, size, sample.Labels.Select(l => l == 0 ? 255 : l - 1).ToArray());
            mFg.Add(fgOnly.Predict(sample.Image), gtFg);
        }
        return new Result(mWith.MeanIoU, mWith.PerClassIoU(), mFg.MeanIoU, mFg.PerClassIoU(), images);
    }
}
