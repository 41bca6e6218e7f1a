using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using SSeg.Eval.Protocol;
using SSeg.Eval.Scoring;
using SSeg.Selftrain;
using SSeg.Selftrain.Labeling;
using SSeg.Pipelines.Hosting;

namespace SSeg.Pipelines.Cli.Selftrain;

/// <summary>`selftrain label`: run a trained S-Seg over a target dataset's training images, one resumable job per shard.</summary>
internal static class SelftrainLabelCommand
{
    public static Command Create()
    {
        var command = new Command("label",
            "Label the training images of VOC / Context / COCO-Object with a trained S-Seg (eval protocol: short side 448, " +
            "448/224 sliding windows, background threshold) and write image + label shards to <root>/datasets/<dataset>.");
        var root = DataRootOption.Create("Storage root (folder or az://container/prefix)");
        var dataset = new Option<string>("--dataset") { Description = "Output dataset name, e.g. voc-train-aug-selftrain.", Required = true };
        var target = new Option<string>("--target") { Description = "Target images as layout=DIR (layouts: voc, context, coco-object, folder).", Required = true };
        var split = new Option<string?>("--split") { Description = "Split (default: voc train_aug, context train, coco-object train2017)." };
        var classes = new Option<string?>("--classes") { Description = "Class-name file (one per line, background first); required for the folder layout." };
        var teacher = new Option<string>("--teacher") { Description = "Trained S-Seg checkpoint.", Required = true };
        var teacherKind = new Option<string?>("--teacher-kind") { Description = "Force a scorer factory kind (see `eval scorers`)." };
        var threshold = new Option<double?>("--threshold") { Description = "Background threshold τ (default: VOC 0.95, Context 0.35, COCO 0.95)." };
        var shardSize = new Option<int>("--shard-size") { Description = "Images per shard.", DefaultValueFactory = _ => 1000 };
        var shard = new Option<int?>("--shard") { Description = "Label only this shard (one job); default: every shard in turn." };
        var windowBatch = new Option<int>("--window-batch") { Description = "Windows per teacher call.", DefaultValueFactory = _ => 8 };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:N.", DefaultValueFactory = _ => "auto" };
        var precision = new Option<string>("--precision") { Description = "dtype of the teacher's forward pass: fp32, bf16, or fp16 (CUDA only); scores and argmax stay fp32.", DefaultValueFactory = _ => "fp32" };
        var scorerOptions = new Option<string[]>("--scorer-option") { Description = "key=value for the teacher's scorer factory (repeatable).", AllowMultipleArgumentsPerToken = true };
        foreach (var o in new Option[] { root, dataset, target, split, classes, teacher, teacherKind, threshold, shardSize, shard, windowBatch, device, precision, scorerOptions })
            command.Options.Add(o);

        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var spec = parse.GetValue(target)!;
                var eq = spec.IndexOf('=');
                if (eq <= 0) throw new ArgumentException($"--target '{spec}' must look like layout=DIR, e.g. voc=/data/VOCdevkit");
                var classFile = parse.GetValue(classes);
                var options = new LabelOptions
                {
                    StorageRoot = parse.GetValue(root)!, Dataset = parse.GetValue(dataset)!,
                    TargetLayout = spec[..eq].ToLowerInvariant(), TargetRoot = spec[(eq + 1)..], Split = parse.GetValue(split),
                    ClassNames = classFile is null ? null : File.ReadAllLines(classFile).Select(l => l.Trim()).Where(l => l.Length > 0).ToList(),
                    TeacherCheckpoint = parse.GetValue(teacher)!, TeacherKind = parse.GetValue(teacherKind),
                    ScorerSettings = SSeg.Pipelines.Cli.Eval.ScoringOptionSet.ParseSettings(parse.GetValue(scorerOptions) ?? []),
                    BackgroundThreshold = parse.GetValue(threshold), ShardSize = parse.GetValue(shardSize), Device = parse.GetValue(device)!,
                    Precision = SSeg.Models.InferencePrecisions.Parse(parse.GetValue(precision)),
                    Inference = new InferenceOptions { WindowBatch = parse.GetValue(windowBatch) },
                };
                var registry = ScorerFactories.Create();
                var plan = SelftrainStage.PlanLabels(options, registry);
                AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                    $"{plan.Target.Images.Count} {plan.Target.Layout}/{plan.Target.Split} images in {plan.Shards} shard(s); labels {plan.Generator.Id}, τ {plan.Target.BackgroundThreshold} ({plan.Generator.Extra!["background_threshold_source"]}); ") +
                    SSeg.Models.ComputeInfo.Of(SSeg.Models.DeviceSelector.Select(options.Device), options.Precision)));
                var shards = parse.GetValue(shard) is int one ? [one] : Enumerable.Range(0, plan.Shards).ToArray();
                var results = new List<LabelShardResult>();
                await AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                        new RemainingTimeColumn(), new SpinnerColumn())
                    .StartAsync(async ctx =>
                    {
                        foreach (var s in shards)
                        {
                            var task = ctx.AddTask($"shard {s}", maxValue: plan.Slice(s, options.ShardSize).Count);
                            var progress = new SelftrainConsole.SyncProgress<SelftrainProgress>(p => task.Value = p.Done);
                            var result = await SelftrainStage.LabelShardAsync(options, s, registry, progress, ct);
                            task.Value = task.MaxValue;
                            results.Add(result);
                        }
                    });
                foreach (var r in results)
                    AnsiConsole.MarkupLine(Markup.Escape(r.Skipped
                        ? $"shard {r.Shard}: already labelled, skipped"
                        : string.Create(CultureInfo.InvariantCulture, $"shard {r.Shard}: {r.Labelled} labelled, {r.Failed} failed, {r.Seconds:F1} s")));
                return results.Any(r => r.Failed > 0) ? 2 : 0;
            }
            catch (Exception e) when (SelftrainConsole.IsUserError(e))
            {
                return SelftrainConsole.Fail("selftrain label", e);
            }
        });
        return command;
    }
}
