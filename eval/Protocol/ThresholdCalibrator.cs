using SSeg.Eval.Datasets;
using SSeg.Eval.Metrics;
using SSeg.Eval.Scoring;

namespace SSeg.Eval.Protocol;

/// <summary>With-background mIoU of one background threshold τ on the calibration images.</summary>
public readonly record struct ThresholdScore(double Threshold, double MeanIoU);

/// <summary>
/// Picks the background threshold τ of a scorer on labelled images that are not evaluated (by default a fixed slice
/// of the dataset's train split): every τ of a grid is applied to the same window scores (the model runs once per
/// window) and the τ with the highest with-background mIoU wins; on a tie the smaller τ.
/// </summary>
public static class ThresholdCalibrator
{
    /// <summary>0.01, 0.02, 0.03, 0.04, then 0.05 … 0.95 in steps of 0.05, then 0.97 and 0.99: scores shared with
    /// background concepts can sit near 0, softmax scores of a large logit scale near 1.</summary>
    public static IReadOnlyList<double> DefaultGrid { get; } =
        [0.01, 0.02, 0.03, 0.04, .. Enumerable.Range(1, 19).Select(i => Math.Round(i * 0.05, 2)), 0.97, 0.99];

    public const int DefaultImages = 300;

    public static ThresholdCalibration Calibrate(ISegmentationScorer scorer, ISegmentationDataset dataset, InferenceOptions inference,
        IReadOnlyList<double>? grid = null, int images = DefaultImages, IProgress<EvalProgress>? progress = null, CancellationToken ct = default)
    {
        grid ??= DefaultGrid;
        if (grid.Count == 0 || grid.Any(t => t is < 0 or > 1)) throw new ArgumentException("the threshold grid needs values in [0, 1]");
        if (!dataset.HasBackground) throw new ArgumentException($"dataset '{dataset.Name}' has no background class: there is no threshold to calibrate");
        if (scorer.BackgroundIsLearned) throw new ArgumentException($"scorer '{scorer.Name}' predicts background itself: there is no threshold to calibrate");
        var foreground = EvalClassLists.Foreground(dataset.ClassNames);
        scorer.Prepare(foreground);
        var predictor = new SegmentationPredictor(scorer, foreground.Count, inference, BackgroundProtocol.WithBackground, grid[0]);
        var metrics = grid.Select(_ => new SegmentationMetrics(dataset.ClassNames.Count, dataset.IgnoreIndex)).ToArray();
        var samples = dataset.Samples.Take(images).ToList();
        if (samples.Count == 0) throw new ArgumentException($"dataset '{dataset.Name}' lists no image to calibrate on");
        var failures = new List<string>();
        int done = 0;
        foreach (var sample in samples)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                using var image = dataset.LoadImage(sample);
                var gt = dataset.LoadLabels(sample);
                var predictions = predictor.PredictAtThresholds(image, grid);
                for (int t = 0; t < grid.Count; t++) metrics[t].Add(predictions[t], gt);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                failures.Add($"{sample.Id}: {e.Message}");
            }
            progress?.Report(new EvalProgress(dataset.Name, ++done, samples.Count));
        }
        if (failures.Count == samples.Count) throw new InvalidDataException($"no calibration image of '{dataset.Name}' could be read: {failures[0]}");
        var curve = grid.Select((t, i) => new ThresholdScore(t, metrics[i].MeanIoU)).ToArray();
        var best = curve.Where(c => !double.IsNaN(c.MeanIoU)).OrderByDescending(c => c.MeanIoU).ThenBy(c => c.Threshold).First();
        return new ThresholdCalibration(best.Threshold, best.MeanIoU, samples.Count - failures.Count, curve, failures);
    }
}

/// <summary>The outcome of <see cref="ThresholdCalibrator.Calibrate"/>.</summary>
public sealed record ThresholdCalibration(double Threshold, double MeanIoU, int Images, IReadOnlyList<ThresholdScore> Curve,
    IReadOnlyList<string> Failures);
