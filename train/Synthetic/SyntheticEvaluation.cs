using SSeg.Eval.Metrics;
using SSeg.Eval.Protocol;
using SSeg.Eval.Scoring;
using static TorchSharp.torch;

namespace SSeg.Train.Synthetic;

/// <summary>
/// How well a scorer segments held-out generated shapes, through eval's predictor, calibration and metrics: τ is
/// calibrated on a separate generated split (as `eval calibrate` does on a train split), then the held-out images are
/// scored with background at that τ and at GroupViT's fixed 0.95, and without background.
/// </summary>
public static class SyntheticEvaluation
{
    public const int CalibrationSplitSeed = 98;
    public const int HeldOutSplitSeed = 99;
    public const double GroupVitThreshold = 0.95;

    /// <param name="Threshold">τ calibrated on the calibration split.</param>
    /// <param name="MeanIoUAtGroupVitThreshold">With-background mIoU at GroupViT's fixed τ 0.95.</param>
    /// <param name="AllBackgroundMeanIoU">With-background mIoU of predicting background everywhere (the floor a
    /// background-blind or over-cautious threshold falls to).</param>
    /// <param name="ForegroundAuc">Threshold-free separability: the probability that a random foreground pixel's best
    /// class score exceeds a random background pixel's (ROC AUC over all held-out pixels; 0.5 = no signal).</param>
    public sealed record Result(double Threshold, double MeanIoUWithBackground, double[] IoUWithBackground, double MeanIoUAtGroupVitThreshold,
        double MeanIoUForeground, double[] IoUForeground, double AllBackgroundMeanIoU, double ForegroundAuc, int Images);

    public static InferenceOptions Inference(int cropSize) =>
        new() { ShortSide = cropSize, LongSideCap = cropSize * 4, Mode = InferenceMode.Whole, CropSize = cropSize, Stride = cropSize / 2 };

    public static Result Evaluate(ISegmentationScorer scorer, int images, int size, int cropSize, int calibrationImages = 100)
    {
        var options = Inference(cropSize);
        var calibration = ThresholdCalibrator.Calibrate(scorer, new GeneratedShapesDataset(calibrationImages, size, CalibrationSplitSeed), options);
        var heldOut = new GeneratedShapesDataset(images, size, HeldOutSplitSeed);
        int c = SyntheticShapes.Classes.Length;
        scorer.Prepare(SyntheticShapes.Classes);
        double[] thresholds = [calibration.Threshold, GroupVitThreshold];
        var withBg = new SegmentationPredictor(scorer, c, options, BackgroundProtocol.WithBackground, calibration.Threshold);
        var fgOnly = new SegmentationPredictor(scorer, c, options, BackgroundProtocol.WithoutBackground, 0);
        var mWith = thresholds.Select(_ => new SegmentationMetrics(c + 1)).ToArray();
        var mFg = new SegmentationMetrics(c);
        var mAllBackground = new SegmentationMetrics(c + 1);
        var pixelScores = new List<(float Score, bool Foreground)>();
        for (int i = 0; i < images; i++)
        {
            using var sample = heldOut.Generate(i);
            var gt = new LabelMap(size, size, sample.Labels);
            var predictions = withBg.PredictAtThresholds(sample.Image, thresholds);
            for (int t = 0; t < thresholds.Length; t++) mWith[t].Add(predictions[t], gt);
            mAllBackground.Add(new LabelMap(size, size, new int[size * size]), gt);
            var gtFg = new LabelMap(size, size, sample.Labels.Select(l => l == 0 ? 255 : l - 1).ToArray());
            mFg.Add(fgOnly.Predict(sample.Image), gtFg);
            var best = BestClassScores(scorer, sample.Image, options);
            for (int p = 0; p < best.Length; p++) pixelScores.Add((best[p], sample.Labels[p] != 0));
        }
        return new Result(calibration.Threshold, mWith[0].MeanIoU, mWith[0].PerClassIoU(), mWith[1].MeanIoU, mFg.MeanIoU, mFg.PerClassIoU(),
            mAllBackground.MeanIoU, Auc(pixelScores), images);
    }

    /// <summary>max_c of the scorer's window scores (whole image as one window), resized to the image.</summary>
    private static float[] BestClassScores(ISegmentationScorer scorer, SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24> image, InferenceOptions options)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var input = KeepRatioResize.Prepare(image, options, scorer.Device);
        var best = scorer.ScoreWindows(input)[0].amax(new long[] { 0 }, keepdim: true);
        return SegmentationPredictor.ResizeScores(best, image.Width, image.Height).cpu().data<float>().ToArray();
    }

    /// <summary>ROC AUC by the rank-sum (Mann–Whitney) formula, ties counted half.</summary>
    private static double Auc(List<(float Score, bool Foreground)> pixels)
    {
        var sorted = pixels.OrderBy(x => x.Score).ToArray();
        double rankSumForeground = 0;
        long foreground = 0;
        for (int i = 0; i < sorted.Length;)
        {
            int j = i;
            while (j < sorted.Length && sorted[j].Score == sorted[i].Score) j++;
            double meanRank = (i + 1 + j) / 2.0;
            for (int k = i; k < j; k++)
                if (sorted[k].Foreground) { rankSumForeground += meanRank; foreground++; }
            i = j;
        }
        long background = sorted.Length - foreground;
        if (foreground == 0 || background == 0) return double.NaN;
        return (rankSumForeground - foreground * (foreground + 1) / 2.0) / ((double)foreground * background);
    }
}
