using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using SSeg.Eval.Protocol;
using SSeg.Eval.Scoring;
using SSeg.Selftrain;
using SSeg.Selftrain.Data;
using SSeg.Selftrain.Labeling;
using SSeg.Selftrain.Model;
using SSeg.Selftrain.Scoring;
using SSeg.Selftrain.Training;
using SSeg.Train.Model;
using SSeg.Train.Scoring;
using SSeg.Train.Synthetic;
using SSeg.Train.Text;
using SSeg.Train.Training;

namespace SSeg.Pipelines.Cli.Selftrain;

/// <summary>
/// `selftrain chain`: the whole S-Seg → S-Seg+ chain on generated data with real stages — train's tiny S-Seg on
/// synthetic captioned shapes, <c>selftrain label</c> on held-out pictures, <c>selftrain train</c>, and eval of
/// teacher and student on ground truth. Prints both mIoUs (the paper's claim: the student beats its teacher).
/// </summary>
internal static class SelftrainChainCommand
{
    public static Command Create()
    {
        var command = new Command("chain", "Run S-Seg → labels → S-Seg+ on generated shapes and report teacher and student mIoU.");
        var work = new Option<string?>("--work") { Description = "Working folder (default: a new temp folder, kept)." };
        var teacherSteps = new Option<int>("--teacher-steps") { Description = "S-Seg training steps.", DefaultValueFactory = _ => 300 };
        var studentIterations = new Option<int>("--student-iterations") { Description = "S-Seg+ iterations.", DefaultValueFactory = _ => 200 };
        var targetImages = new Option<int>("--target-images") { Description = "Pictures to label.", DefaultValueFactory = _ => 64 };
        var valImages = new Option<int>("--val-images") { Description = "Held-out pictures with ground truth.", DefaultValueFactory = _ => 40 };
        var threshold = new Option<double>("--threshold") { Description = "Background threshold τ for the teacher.", DefaultValueFactory = _ => 0.5 };
        var device = new Option<string>("--device") { DefaultValueFactory = _ => "auto" };
        foreach (var o in new Option[] { work, teacherSteps, studentIterations, targetImages, valImages, threshold, device }) command.Options.Add(o);
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var dir = parse.GetValue(work) ?? Path.Combine(Path.GetTempPath(), $"sseg-chain-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
                var storage = Path.Combine(dir, "data");
                var dev = parse.GetValue(device)!;
                var tau = parse.GetValue(threshold);
                var clock = Stopwatch.StartNew();
                var timings = new Dictionary<string, double>();
                void Mark(string what) { timings[what] = clock.Elapsed.TotalSeconds; AnsiConsole.MarkupLine(Markup.Escape($"{what}: {clock.Elapsed.TotalSeconds:F0} s")); }

                await SyntheticShapes.WriteDatasetAsync(storage, "shapes", images: 256, shards: 4, size: 96, seed: 21, ct: ct);
                await VocabStage.RunAsync(storage, "shapes", 800, ct: ct);
                Mark("teacher data");
                var teacherRun = await TrainStage.RunAsync(new TrainOptions
                {
                    StorageRoot = storage, Dataset = "shapes", MaskGenerator = SyntheticShapes.GeneratorId, Run = "sseg-teacher",
                    Model = SSegModelConfig.Tiny, VocabSize = 800, BatchSize = 16, Epochs = 1000, WarmupEpochs = 0,
                    MaxSteps = parse.GetValue(teacherSteps), ScheduleToMaxSteps = true, LearningRate = 2e-3, WarmupLearningRate = 1e-5, MinLearningRate = 1e-5,
                    ScaleLrWithBatch = false, ShuffleBuffer = 64, DecodeWorkers = 2, CheckpointEvery = 1000, LogEvery = 50,
                    Device = dev, Seed = 1,
                }, ct: ct);
                Mark("teacher trained");
                var teacher = Path.Combine(storage, "runs", "sseg-teacher");

                var target = ShapesTarget.Write(Path.Combine(dir, "target"), parse.GetValue(targetImages), parse.GetValue(valImages), 96, 99, tau);
                var registry = new ScorerRegistry().Register(new SSegScorerFactory()).Register(new SSegPlusScorerFactory());
                var inference = new InferenceOptions { ShortSide = 64, LongSideCap = 256, CropSize = 64, Stride = 32 };
                var label = new LabelOptions
                {
                    StorageRoot = storage, Dataset = "shapes-target-labels", TargetLayout = "folder", TargetRoot = Path.Combine(dir, "target", "train"),
                    ClassNames = ShapesTarget.ClassList, TeacherCheckpoint = teacher, BackgroundThreshold = tau, Inference = inference,
                    ShardSize = 32, Device = dev,
                };
                var plan = SelftrainStage.PlanLabels(label, registry);
                for (var s = 0; s < plan.Shards; s++) await SelftrainStage.LabelShardAsync(label, s, registry, ct: ct);
                Mark("target labelled");

                var student = await SelftrainStage.TrainAsync(new SelftrainTrainOptions
                {
                    StorageRoot = storage, Dataset = label.Dataset, Run = "sseg-plus-student",
                    Model = new SSegPlusConfig { BackboneName = "vit_test", EmbedDim = 32, Depth = 12, Heads = 2, PatchSize = 8, CropSize = 64, HeadChannels = 32, AuxChannels = 16 },
                    Iterations = parse.GetValue(studentIterations), BatchSize = 4, LearningRate = 1e-3, LayerDecayRate = 0.9, WarmupIterations = 10,
                    Augment = new AugmentOptions { ScaleLong = 384, ScaleShort = 96, CropSize = 64 }, CheckpointEvery = 1000, LogEvery = 20, Device = dev,
                }, ct: ct);
                Mark("student trained");

                var options = new EvalOptions { Inference = inference, BackgroundThreshold = tau };
                double Score(string checkpoint)
                {
                    using var scorer = registry.Load(checkpoint, new ScorerLoadOptions(SSeg.Models.DeviceSelector.Select(dev), new Dictionary<string, string>()));
                    return SegmentationEvaluator.Evaluate(scorer, target, options, ct: ct).MeanIoU;
                }
                var teacherMiou = Score(teacher);
                var studentMiou = Score(student.ModelPath!);
                Mark("evaluated");
                var table = new Table().AddColumn("model").AddColumn("mIoU (4 classes, with background)");
                table.AddRow("S-Seg teacher (tiny)", teacherMiou.ToString("P1", CultureInfo.InvariantCulture));
                table.AddRow("S-Seg+ student (tiny UperNet)", studentMiou.ToString("P1", CultureInfo.InvariantCulture));
                AnsiConsole.Write(table);
                var json = JsonSerializer.Serialize(new
                {
                    teacher_miou = teacherMiou, student_miou = studentMiou, teacher_steps = teacherRun.Steps, teacher_last_loss = teacherRun.Metrics.LastOrDefault()?.Loss,
                    student_iterations = student.EndIteration, student_last_loss = student.LastLoss, threshold = tau, timings_s = timings,
                }, new JsonSerializerOptions { WriteIndented = true });
                await File.WriteAllTextAsync(Path.Combine(dir, "chain.json"), json, ct);
                AnsiConsole.MarkupLine(Markup.Escape($"details: {Path.Combine(dir, "chain.json")}"));
                return 0;
            }
            catch (Exception e) when (SelftrainConsole.IsUserError(e))
            {
                return SelftrainConsole.Fail("selftrain chain", e);
            }
        });
        return command;
    }
}
