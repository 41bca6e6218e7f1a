using SSeg.Eval.Metrics;
using SSeg.Eval.Protocol;
using SSeg.Eval.Scoring;
using SSeg.Train.Data;
using static TorchSharp.torch;

namespace SSeg.Train.Synthetic;

/// <summary>mIoU of a scorer on held-out generated shapes, through eval's predictor and metrics.</summary>
public static class SyntheticEvaluation
{
    /// <param name="Threshold">τ of the GroupViT background rule used for the with-background figures.</param>
    /// <param name="AllBackgroundMeanIoU">With-background mIoU of predicting background everywhere (the floor a
    /// background-blind or over-cautious threshold falls to).</param>
    /// <param name="ForegroundAuc">Threshold-free separability: the probability that a random foreground pixel's best
    /// class score exceeds a random background pixel's (ROC AUC over all held-out pixels; 0.5 = no signal).</param>
    public sealed record Result(double Threshold, double MeanIoUWithBackground, double[] IoUWithBackground,
        double MeanIoUForeground, double[] IoUForeground, double AllBackgroundMeanIoU, double ForegroundAuc, int Images);

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
        var pixelScores = new List<(float Score, bool Foreground)>();
        for (int i = 0; i < images; i++)
        {
            using var sample = SyntheticShapes.Generate(size, new Random(ShardTrainStream.Mix(seed, 1_000_003, i)));
            var gt = new LabelMap(size, size, sample.Labels);
            for (int t = 0; t < withBg.Length; t++) mWith[t].Add(withBg[t].Predict(sample.Image), gt);
            mAllBackground.Add(new LabelMap(size, size, new int[size * size]), gt);
            var gtFg = new LabelMap(size, size, sample.Labels.Select(l => l == 0 ? 255 : l - 1).ToArray());
            mFg.Add(fgOnly.Predict(sample.Image), gtFg);
            var best = BestClassScores(scorer, sample.Image, options);
            for (int p = 0; p < best.Length; p++) pixelScores.Add((best[p], sample.Labels[p] != 0));
        }
        double auc = Auc(pixelScores);
        return thresholds.Select((t, i) => new Result(t, mWith[i].MeanIoU, mWith[i].PerClassIoU(), mFg.MeanIoU, mFg.PerClassIoU(),
            mAllBackground.MeanIoU, auc, images)).ToArray();
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
