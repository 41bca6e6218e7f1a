using System.Security.Cryptography;
using System.Text;
using SSeg.Eval.Protocol;
using SSeg.Eval.Scoring;
using SSeg.Pipelines.Hosting;
using SSeg.Selftrain;
using SSeg.Selftrain.Labeling;
using SSeg.Shards;

namespace SSeg.Pipelines.Jobs;

/// <summary>S-Seg+ labelling: a trained S-Seg labels the target's training images, one job per shard.</summary>
public sealed class SelftrainLabelAdapter : IStageAdapter
{
    public string Name => "selftrain-label";
    public string Description => "S-Seg+: label target training images with a trained S-Seg (one job per shard).";
    public string Queue => Queues.Gpu;

    public IReadOnlyList<StageOption> Options => SelftrainLabelStageOptions.All;

    public IReadOnlyList<string> Validate(StageContext context)
    {
        var errors = new List<string>();
        try
        {
            var options = Build(context);
            if (!Directory.Exists(options.TargetRoot)) errors.Add($"target folder not found: {options.TargetRoot}");
            if (!File.Exists(options.TeacherCheckpoint) && !Directory.Exists(options.TeacherCheckpoint))
                errors.Add($"checkpoint not found: {options.TeacherCheckpoint}");
        }
        catch (Exception e) when (e is StageOptionException or ArgumentException or IOException) { errors.Add(e.Message); }
        return errors;
    }

    public Task<StagePlan> PlanAsync(StageContext context, CancellationToken ct)
    {
        var plan = SelftrainStage.PlanLabels(Build(context), Teachers());
        var input = $"{plan.ConfigHash}|{plan.Generator.CheckpointHash}";
        return Task.FromResult(new StagePlan(plan.Shards, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(input)))));
    }

    public Task DiscardStaleOutputAsync(StageContext context, CancellationToken ct) =>
        Task.CompletedTask; // a new teacher writes another sseg-labels-<hash> generator; the image slices are fixed by the plan

    public async Task RunShardAsync(StageContext context, int shard, IProgress<StageProgress> progress, CancellationToken ct)
    {
        var result = await SelftrainStage.LabelShardAsync(Build(context), shard, Teachers(),
            new ActionProgress<SelftrainProgress>(p => progress.Report(new StageProgress(p.Done, p.Total, p.Unit, p.Note))), ct);
        progress.Report(new StageProgress(result.Labelled + result.Failed, result.Labelled + result.Failed, "images",
            result.Skipped ? "skipped: already labelled" : $"{result.Labelled} labelled, {result.Failed} failed"));
    }

    public async Task<int> CountCompletedAsync(StageContext context, StagePlan plan, CancellationToken ct)
    {
        var options = Build(context);
        var generator = SelftrainStage.PlanLabels(options, Teachers()).Generator.Id;
        var index = await DatasetStore.Open(options.StorageRoot, options.AzureConnectionString).Dataset(options.Dataset).ReadIndexAsync(ct);
        return index is null ? 0 : Enumerable.Range(0, plan.Shards).Count(i => index.Find(ShardNames.MasksKind(generator), i) is not null);
    }

    public async Task<string> SummarizeAsync(StageContext context, CancellationToken ct)
    {
        var options = Build(context);
        var generator = SelftrainStage.PlanLabels(options, Teachers()).Generator.Id;
        var index = await DatasetStore.Open(options.StorageRoot, options.AzureConnectionString).Dataset(options.Dataset).ReadIndexAsync(ct);
        var labels = index?.ShardsOf(ShardNames.MasksKind(generator)) ?? [];
        return $"dataset {options.Dataset}: {labels.Sum(s => s.Rows)} label maps in {labels.Count} shard(s), generator {generator}";
    }

    private static ScorerRegistry Teachers() => ScorerFactories.Create();

    /// <summary>The stage's options from their declarations (SelftrainLabelStageOptions); `selftrain label` builds them here too.</summary>
    public static LabelOptions Build(StageContext context) => new()
    {
        StorageRoot = context.StorageRoot,
        AzureConnectionString = context.AzureConnectionString,
        Dataset = OptionValue.Name(context, SelftrainLabelStageOptions.Dataset.Name),
        TargetLayout = context.Choice(SelftrainLabelStageOptions.TargetLayout),
        TargetRoot = OptionValue.Resolve(context, SelftrainLabelStageOptions.TargetRoot.Name, OptionKind.FolderOrPath),
        Split = context.Value(SelftrainLabelStageOptions.Split),
        ClassNames = OptionValue.ResolveOptional(context, SelftrainLabelStageOptions.Classes.Name, OptionKind.ModelOrPath) is { } classes
            ? File.ReadAllLines(classes).Select(l => l.Trim()).Where(l => l.Length > 0).ToList() : null,
        TeacherCheckpoint = EvalAdapter.Checkpoint(context),
        TeacherKind = context.Value(InferenceStageOptions.ModelKind),
        ScorerSettings = InferenceStageOptions.Settings(context),
        BackgroundThreshold = context.OptionalNumber(SelftrainLabelStageOptions.Threshold),
        Inference = InferenceStageOptions.Build(context),
        ShardSize = context.Int(SelftrainLabelStageOptions.ShardSize),
        Device = context.Text(CommonStageOptions.Device),
        Precision = SSeg.Models.InferencePrecisions.Parse(context.Choice(CommonStageOptions.Precision)),
    };
}
