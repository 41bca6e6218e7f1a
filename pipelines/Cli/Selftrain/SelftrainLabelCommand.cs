using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using SSeg.Pipelines.Jobs;
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
        var declared = new DeclaredCliOptions(SelftrainLabelStageOptions.All);
        var shard = new Option<int?>("--shard") { Description = "Label only this shard (one job); default: every shard in turn." };
        command.Options.Add(root);
        declared.AddTo(command);
        command.Options.Add(shard);

        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var options = DeclaredCliOptions.Build(declared.Context(parse, parse.GetValue(root)!, null), SelftrainLabelAdapter.Build);
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
