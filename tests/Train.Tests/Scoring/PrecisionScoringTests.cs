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
/// bf16 scoring of a trained tiny model (the learning recipe, 200 steps, seed 1) against fp32 through eval's protocol on
/// held-out generated scenes: mIoU within 1 point with and without background, the threshold calibrated once in fp32 and
/// used for both. Also: the checkpoint records where it was trained, and fp16 on the CPU is refused before any weights load.
/// </summary>
public class PrecisionScoringTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Bf16_eval_of_a_trained_tiny_model_is_within_one_miou_point_of_fp32()
    {
        var root = RepoPaths.NewTempDir("sseg-precision");
        try
        {
            await SyntheticShapes.WriteDatasetAsync(root, "shapes", LearningRecipe.Images, shards: 4, size: 96, seed: LearningRecipe.DataSeed(1));
            await VocabStage.RunAsync(root, "shapes", LearningRecipe.VocabSize);
            var options = LearningRecipe.Options(root, "shapes", "learn", LearningRecipe.TestSteps, seed: 1) with { Device = "cpu" };
            await TrainStage.RunAsync(options);
            var run = Path.Combine(root, "runs", "learn");

            var meta = SafetensorsFile.ReadMetadata(SSegScorerFactory.ResolveModelFile(run)!);
            Assert.Equal("cpu", meta.Get(CheckpointLoader.ComputeMetadataPrefix + ComputeInfo.DeviceKey));
            Assert.Equal("fp32", meta.Get(CheckpointLoader.ComputeMetadataPrefix + ComputeInfo.PrecisionKey));
            Assert.Equal("2", meta.Get(CheckpointLoader.ComputeMetadataPrefix + ComputeInfo.ThreadsKey));   // the recipe's threads

            var factory = new SSegScorerFactory();
            using var fp32 = factory.Load(run, ScorerLoadOptions.Cpu);
            using var bf16 = factory.Load(run, ScorerLoadOptions.Cpu with { Precision = InferencePrecision.Bf16 });
            Assert.Equal(InferencePrecision.Bf16, bf16.Precision);
            Assert.Equal(ScalarType.BFloat16, ((SSegScorer)bf16).Model.parameters().First().dtype);

            var inference = SyntheticEvaluation.Inference(options.Model.CropSize);
            var tau = ThresholdCalibrator.Calibrate(fp32, new GeneratedShapesDataset(60, 96, SyntheticEvaluation.CalibrationSplitSeed), inference, images: 60).Threshold;
            var heldOut = new GeneratedShapesDataset(40, 96, SyntheticEvaluation.HeldOutSplitSeed);
            foreach (var protocol in new[] { BackgroundProtocol.WithBackground, BackgroundProtocol.WithoutBackground })
            {
                var eval = new EvalOptions { Inference = inference, Protocol = protocol, BackgroundThreshold = tau, KeepPredictions = 0 };
                var a = SegmentationEvaluator.Evaluate(fp32, heldOut, eval);
                var b = SegmentationEvaluator.Evaluate(bf16, heldOut, eval);
                output.WriteLine($"{protocol} (τ {tau:0.##}): mIoU fp32 {100 * a.MeanIoU:F2}, bf16 {100 * b.MeanIoU:F2}");
                Assert.True(a.MeanIoU > 0.3, $"{protocol}: fp32 mIoU {a.MeanIoU:P1}: the model should have learned something");
                Assert.True(Math.Abs(a.MeanIoU - b.MeanIoU) <= 0.01, $"{protocol}: mIoU fp32 {100 * a.MeanIoU:F2} vs bf16 {100 * b.MeanIoU:F2}");
            }

            var e = Assert.Throws<ArgumentException>(() => factory.Load(run, ScorerLoadOptions.Cpu with { Precision = InferencePrecision.Fp16 }));
            Assert.Contains("CUDA", e.Message);
        }
        finally
        {
            try { Directory.Delete(root, true); } catch (IOException) { }
        }
    }
}
