using SSeg.Eval.Scoring;
using SSeg.Train.Model;
using SSeg.Train.Scoring;
using SSeg.Train.Synthetic;
using SSeg.Train.Text;
using SSeg.Train.Training;
using Xunit.Abstractions;

namespace SSeg.Train.Tests.Training;

/// <summary>
/// End-to-end learning on CPU: generated shapes with captions naming them and RGB k-means pseudo-masks; a short
/// run of the tiny model must lower the losses clearly and segment held-out images far above chance when
/// prompted with the class names, without background and with eval's background threshold rule (mIoU from eval's
/// predictor and metrics).
/// </summary>
public class LearningTests(ITestOutputHelper output)
{
    /// <summary>τ of the background rule for the generated shapes with the default score combination (train/README.md).</summary>
    private const double BackgroundThreshold = 0.8;

    [Fact]
    public async Task Tiny_model_learns_to_segment_named_shapes()
    {
        var root = RepoPaths.NewTempDir("sseg-learning");
        try
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            await SyntheticShapes.WriteDatasetAsync(root, "shapes", images: 256, shards: 4, size: 96, seed: 21);
            await VocabStage.RunAsync(root, "shapes", 800);
            var options = LearningRecipe.Options(root, "shapes", "learn", 800, steps: LearningRecipe.TestSteps);
            output.WriteLine($"data + vocab {sw.Elapsed.TotalSeconds:F1}s");
            sw.Restart();
            var result = await TrainStage.RunAsync(options);
            output.WriteLine($"train {result.Steps} steps {sw.Elapsed.TotalSeconds:F1}s");
            sw.Restart();

            var m = result.Metrics;
            double early = m.Take(5).Average(x => x.Loss), late = m.TakeLast(5).Average(x => x.Loss);
            double earlyMask = m.Take(5).Average(x => x.Mask), lateMask = m.TakeLast(5).Average(x => x.Mask);
            double earlyCon = m.Take(5).Average(x => x.Itc + x.MultiLabel), lateCon = m.TakeLast(5).Average(x => x.Itc + x.MultiLabel);
            output.WriteLine($"loss {early:F3} -> {late:F3}; mask {earlyMask:F3} -> {lateMask:F3}; contrastive {earlyCon:F3} -> {lateCon:F3}");

            using var scorer = new SSegScorerFactory().Load(Path.Combine(root, "runs", "learn"), ScorerLoadOptions.Cpu);
            Assert.Equal(ScoreCombinations.Default, ((SSegScorer)scorer).Combination);
            var eval = SyntheticEvaluation.Evaluate(scorer, images: 40, size: 96, cropSize: options.Model.CropSize, seed: 99, threshold: BackgroundThreshold);
            output.WriteLine($"eval {sw.Elapsed.TotalSeconds:F1}s");
            output.WriteLine($"mIoU fg-only {eval.MeanIoUForeground:P1} [{string.Join(", ", eval.IoUForeground.Select(x => x.ToString("P0")))}]; " +
                $"with background (τ {BackgroundThreshold}) {eval.MeanIoUWithBackground:P1} [{string.Join(", ", eval.IoUWithBackground.Select(x => x.ToString("P0")))}]; " +
                $"all-background {eval.AllBackgroundMeanIoU:P1}");

            Assert.True(late < 0.7 * early, $"total loss should drop clearly: {early} -> {late}");
            Assert.True(lateMask < 0.7 * earlyMask, $"mask loss should drop clearly: {earlyMask} -> {lateMask}");
            Assert.True(lateCon < earlyCon, $"contrastive loss should drop: {earlyCon} -> {lateCon}");
            // A uniform random guess over the 3 foreground classes scores about 0.2 mIoU; require twice that
            // (measured on the 2-core VM: 0.40-0.50 after 200 steps).
            Assert.True(eval.MeanIoUForeground > 0.4, $"foreground mIoU {eval.MeanIoUForeground}");
            // Predicting background everywhere scores ≈ 0.21 with background (everything foreground ≈ 0.07). With the
            // default combination (normalized) at τ 0.8, seeds 1-6 of this recipe measured 0.339, 0.163, 0.258, 0.249,
            // 0.270, 0.263 (seed 1, which this test runs, reproduces exactly on the 2-core VM); require 3 points above
            // the all-background floor.
            Assert.True(eval.MeanIoUWithBackground > eval.AllBackgroundMeanIoU + 0.03,
                $"with-background mIoU {eval.MeanIoUWithBackground} vs all-background {eval.AllBackgroundMeanIoU}");
        }
        finally
        {
            try { Directory.Delete(root, true); } catch (IOException) { }
        }
    }
}
