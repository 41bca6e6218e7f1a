using SSeg.Eval.Datasets;
using SSeg.Eval.Protocol;
using SSeg.Eval.Stage;
using SSeg.Eval.Tests.Support;

namespace SSeg.Eval.Tests;

/// <summary>Fitting τ on a labelled split (<see cref="ThresholdCalibrator"/>), storing it beside a checkpoint and the
/// order in which a run picks its τ.</summary>
public class ThresholdCalibrationTests
{
    private static readonly InferenceOptions Slide = new() { ShortSide = 96, LongSideCap = 512, CropSize = 96, Stride = 48 };

    [Fact]
    public void Labels_at_several_thresholds_equal_one_prediction_per_threshold()
    {
        using var tmp = TestPaths.NewTempDir();
        var voc = new VocDataset(SyntheticVoc.Create(tmp.Path));
        using var scorer = new ColourScorer(confuse: ("cat", "dog"));
        var foreground = EvalClassLists.Foreground(voc.ClassNames);
        scorer.Prepare(foreground);
        double[] taus = [0.03, 0.05, 0.5, 0.97];
        foreach (var sample in voc.Samples)
        {
            using var image = voc.LoadImage(sample);
            var together = new SegmentationPredictor(scorer, foreground.Count, Slide, BackgroundProtocol.WithBackground, 0).PredictAtThresholds(image, taus);
            for (int t = 0; t < taus.Length; t++)
            {
                var alone = new SegmentationPredictor(scorer, foreground.Count, Slide, BackgroundProtocol.WithBackground, taus[t]).Predict(image);
                Assert.Equal(alone.Labels, together[t].Labels);
            }
        }
    }

    [Fact]
    public void Calibration_picks_the_smallest_threshold_with_the_best_with_background_miou()
    {
        // The colour scorer gives a class pixel a one-hot score and a background pixel 1/20 on every class: any τ above
        // 0.05 separates them perfectly, any τ at or below it calls background a class.
        using var tmp = TestPaths.NewTempDir();
        var voc = new VocDataset(SyntheticVoc.Create(tmp.Path, split: "train"), "train");
        using var scorer = new ColourScorer();
        var result = ThresholdCalibrator.Calibrate(scorer, voc, Slide, [0.02, 0.05, 0.3, 0.6, 0.99]);
        Assert.Equal(0.3, result.Threshold);
        Assert.Equal(1.0, result.MeanIoU, 12);
        Assert.Equal(3, result.Images);
        Assert.True(result.Curve[0].MeanIoU < 0.8 && result.Curve[1].MeanIoU < 0.8, string.Join(", ", result.Curve));
        Assert.Equal([1.0, 1.0, 1.0], result.Curve.Skip(2).Select(c => Math.Round(c.MeanIoU, 12)));
    }

    [Fact]
    public void Calibration_refuses_a_scorer_with_learned_background_and_an_empty_grid()
    {
        using var tmp = TestPaths.NewTempDir();
        var voc = new VocDataset(SyntheticVoc.Create(tmp.Path));
        using var learned = new ColourScorer(learnedBackground: true);
        Assert.Contains("predicts background itself", Assert.Throws<ArgumentException>(() => ThresholdCalibrator.Calibrate(learned, voc, Slide)).Message);
        using var plain = new ColourScorer();
        Assert.Throws<ArgumentException>(() => ThresholdCalibrator.Calibrate(plain, voc, Slide, []));
        Assert.Throws<ArgumentException>(() => ThresholdCalibrator.Calibrate(plain, voc, Slide, [1.5]));
    }

    [Fact]
    public void Stored_thresholds_are_used_only_where_no_threshold_is_given_and_the_scorer_settings_match()
    {
        using var tmp = TestPaths.NewTempDir();
        var checkpoint = Path.Combine(tmp.Path, "step-00000100", "model.safetensors");
        Directory.CreateDirectory(Path.GetDirectoryName(checkpoint)!);
        var settings = new Dictionary<string, string> { ["templates"] = "simple" };
        var entry = new StoredThreshold(0.4, "voc", "train", 300, 0.5, settings, DateTimeOffset.UnixEpoch, [new ThresholdScore(0.4, 0.5)]);
        var path = StoredThresholds.Write(checkpoint, "voc", entry);
        Assert.Equal(Path.Combine(tmp.Path, "step-00000100", "calibration.json"), path);
        StoredThresholds.Write(checkpoint, "context", entry with { Dataset = "context", Threshold = 0.2 });
        var stored = StoredThresholds.Read(checkpoint);
        Assert.Equal(0.4, stored["voc"].Threshold);
        Assert.Equal(0.2, stored["context"].Threshold);
        Assert.Equal(0.4, stored["voc"].Curve.Single().Threshold);

        DatasetSpec voc = new("voc", "/x"), coco = new("coco-object", "/y"), vocGiven = new("voc", "/x", BackgroundThreshold: 0.7);
        var request = new EvalRequest("run", [voc, coco, vocGiven], new EvalOptions(), "/r", stored, settings);
        Assert.Equal((0.4, "calibrated on voc:train (300 images, 1970-01-01)"), request.ThresholdFor(voc));
        Assert.Null(request.ThresholdFor(coco).Threshold);
        Assert.Equal(0.7, request.ThresholdFor(vocGiven).Threshold);
        Assert.Equal(0.6, (request with { Options = new EvalOptions { BackgroundThreshold = 0.6 } }).ThresholdFor(voc).Threshold);
        var otherSettings = request with { ScorerSettings = new Dictionary<string, string> { ["templates"] = "full" } };
        Assert.Null(otherSettings.ThresholdFor(voc).Threshold);
        Assert.Contains("templates=simple", otherSettings.ThresholdFor(voc).Source);

        File.WriteAllText(path, "{ not json");
        Assert.Contains("eval calibrate", Assert.Throws<InvalidDataException>(() => StoredThresholds.Read(checkpoint)).Message);
    }
}
