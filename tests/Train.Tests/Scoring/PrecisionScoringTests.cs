using SSeg.Eval.Protocol;
using SSeg.Eval.Scoring;
using SSeg.Models;
using SSeg.Train.Scoring;
using SSeg.Train.Synthetic;
using SSeg.Train.Text;
using SSeg.Train.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace SSeg.Train.Tests.Scoring;

/// <summary>
/// bf16 scoring of trained tiny models (the learning recipe, 200 steps, seeds 1–3) against fp32 through eval's protocol
/// on held-out generated scenes: mIoU within 1 point on average over the seeds (2 at most for any), with and without
/// background, the threshold calibrated once in fp32 and used for both. Also: the checkpoint records where it was trained, and fp16 on the CPU is refused before any weights load.
/// </summary>
public class PrecisionScoringTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Bf16_eval_of_a_trained_tiny_model_is_within_one_miou_point_of_fp32()
    {
        // One model's gap depends on how many of its pixels sit near the calibrated threshold or between two close
        // classes, so the one point is asked of the mean over three seeds, and no seed may exceed two. The
        // held-out set is 200 scenes: on 40, a rare class's IoU moved with a handful of pixels, and one seed's gap
        // reached 3.3 points on an Intel Xeon (1.5 at most on AMD EPYC); on 200 the gaps were 0.0-0.5 on the Xeon.
        var roots = new List<string>();
        try
        {
            var gaps = new List<(BackgroundProtocol Protocol, double Gap)>();
            string? run = null;
            foreach (var seed in new[] { 1, 2, 3 })
            {
                var root = RepoPaths.NewTempDir("sseg-precision");
                roots.Add(root);
                var options = LearningRecipe.Options(root, "shapes", "learn", LearningRecipe.TestSteps, seed: seed) with { Device = "cpu" };
                await SyntheticShapes.WriteDatasetAsync(root, "shapes", LearningRecipe.Images, shards: 4, size: 96, seed: LearningRecipe.DataSeed(seed));
                await VocabStage.RunAsync(root, "shapes", LearningRecipe.VocabSize);
                await TrainStage.RunAsync(options);
                run = Path.Combine(root, "runs", "learn");
                gaps.AddRange(Gaps(run, options.Model.CropSize, seed));
            }
            foreach (var protocol in gaps.Select(g => g.Protocol).Distinct())
            {
                var list = gaps.Where(g => g.Protocol == protocol).Select(g => g.Gap).ToList();
                Assert.True(list.Average() <= 0.01, $"{protocol}: mean |mIoU fp32 − bf16| {100 * list.Average():F2} points over seeds 1–3");
                Assert.True(list.Max() <= 0.02, $"{protocol}: a seed's |mIoU fp32 − bf16| is {100 * list.Max():F2} points");
            }

            var e = Assert.Throws<ArgumentException>(() => new SSegScorerFactory().Load(run!, ScorerLoadOptions.Cpu with { Precision = InferencePrecision.Fp16 }));
            Assert.Contains("CUDA", e.Message);
        }
        finally
        {
            foreach (var root in roots)
                try { Directory.Delete(root, true); } catch (IOException) { }
        }
    }

    /// <summary>|mIoU fp32 − bf16| per protocol on held-out scenes, the threshold calibrated once in fp32 and used for both;
    /// also checks the checkpoint's compute metadata and that the bf16 scorer really holds bf16 weights.</summary>
    private List<(BackgroundProtocol Protocol, double Gap)> Gaps(string run, int cropSize, int seed)
    {
        var meta = SafetensorsFile.ReadMetadata(SSegScorerFactory.ResolveModelFile(run)!);
        Assert.Equal("cpu", meta.Get(CheckpointLoader.ComputeMetadataPrefix + ComputeInfo.DeviceKey));
        Assert.Equal("fp32", meta.Get(CheckpointLoader.ComputeMetadataPrefix + ComputeInfo.PrecisionKey));
        Assert.Equal("2", meta.Get(CheckpointLoader.ComputeMetadataPrefix + ComputeInfo.ThreadsKey));   // the recipe's threads

        var factory = new SSegScorerFactory();
        using var fp32 = factory.Load(run, ScorerLoadOptions.Cpu);
        using var bf16 = factory.Load(run, ScorerLoadOptions.Cpu with { Precision = InferencePrecision.Bf16 });
        Assert.Equal(InferencePrecision.Bf16, bf16.Precision);
        Assert.Equal(ScalarType.BFloat16, ((SSegScorer)bf16).Model.parameters().First().dtype);

        var inference = SyntheticEvaluation.Inference(cropSize);
        var tau = ThresholdCalibrator.Calibrate(fp32, new GeneratedShapesDataset(60, 96, SyntheticEvaluation.CalibrationSplitSeed), inference, images: 60).Threshold;
        var heldOut = new GeneratedShapesDataset(200, 96, SyntheticEvaluation.HeldOutSplitSeed);
        var gaps = new List<(BackgroundProtocol, double)>();
        foreach (var protocol in new[] { BackgroundProtocol.WithBackground, BackgroundProtocol.WithoutBackground })
        {
            var eval = new EvalOptions { Inference = inference, Protocol = protocol, BackgroundThreshold = tau, KeepPredictions = 0 };
            var a = SegmentationEvaluator.Evaluate(fp32, heldOut, eval);
            var b = SegmentationEvaluator.Evaluate(bf16, heldOut, eval);
            output.WriteLine($"seed {seed}, {protocol} (τ {tau:0.##}): mIoU fp32 {100 * a.MeanIoU:F2}, bf16 {100 * b.MeanIoU:F2}");
            Assert.True(a.MeanIoU > 0.3, $"seed {seed}, {protocol}: fp32 mIoU {a.MeanIoU:P1}: the model should have learned something");
            gaps.Add((protocol, Math.Abs(a.MeanIoU - b.MeanIoU)));
        }
        return gaps;
    }
}
