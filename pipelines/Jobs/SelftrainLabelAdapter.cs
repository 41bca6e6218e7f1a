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
    public string? Unavailable => null;

    public IReadOnlyList<StageOption> Options { get; } =
    [
        new("dataset", "Output dataset (images + label masks).", Required: true, Kind: OptionKind.Name),
        new("checkpoint", "Teacher S-Seg: a run name (runs/<name>), or a checkpoint file or folder path (CLI and pipeline files; the dashboard only under Dashboard:AllowedModelFolders).", Required: true, Kind: OptionKind.RunOrPath),
        new("targetLayout", "Target image set layout: voc, context, coco-object or folder.", "voc"),
        new("targetRoot", "Target dataset folder: a name (benchmarks/<name> under the data root) or, from the CLI and pipeline files, a path.", Required: true, Kind: OptionKind.FolderOrPath),
        new("split", "Split of the target (empty: the layout's training split)."),
        new("shardSize", "Images per shard (one job each).", "1000"),
        new("threshold", "Background threshold (empty: the layout's default)."),
        new("shortSide", "Inference short side.", "448"),
        new("cropSize", "Sliding window size.", "448"),
        new("stride", "Sliding window stride.", "224"),
        new("device", "auto, cpu or cuda[:N].", "auto"),
        new("precision", "dtype of the teacher's forward pass: fp32, bf16 or fp16 (CUDA only); scores and argmax stay fp32.", "fp32"),
    ];

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
        catch (Exception e) when (e is StageOptionException or ArgumentException) { errors.Add(e.Message); }
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
        var manifest = await DatasetStore.Open(options.StorageRoot, options.AzureConnectionString).Dataset(options.Dataset).ReadManifestAsync(ct);
        return manifest is null ? 0 : Enumerable.Range(0, plan.Shards).Count(i => manifest.Find(ShardNames.MasksKind(generator), i) is not null);
    }

    public async Task<string> SummarizeAsync(StageContext context, CancellationToken ct)
    {
        var options = Build(context);
        var generator = SelftrainStage.PlanLabels(options, Teachers()).Generator.Id;
        var manifest = await DatasetStore.Open(options.StorageRoot, options.AzureConnectionString).Dataset(options.Dataset).ReadManifestAsync(ct);
        var labels = manifest?.ShardsOf(ShardNames.MasksKind(generator)) ?? [];
        return $"dataset {options.Dataset}: {labels.Sum(s => s.Rows)} label maps in {labels.Count} shard(s), generator {generator}";
    }

    private static ScorerRegistry Teachers() => ScorerFactories.Create();

    private static LabelOptions Build(StageContext context) => new()
    {
        StorageRoot = context.StorageRoot,
        AzureConnectionString = context.AzureConnectionString,
        Dataset = OptionValue.Name(context, "dataset"),
        TargetLayout = context.Get("targetLayout") ?? "voc",
        TargetRoot = OptionValue.Resolve(context, "targetRoot", OptionKind.FolderOrPath),
        Split = context.Get("split"),
        TeacherCheckpoint = EvalAdapter.Checkpoint(context),
        BackgroundThreshold = context.Get("threshold") is null ? null : context.GetDouble("threshold", 0),
        Inference = new InferenceOptions
        {
            ShortSide = context.GetInt("shortSide", 448),
            CropSize = context.GetInt("cropSize", 448),
            Stride = context.GetInt("stride", 224),
        },
        ShardSize = context.GetInt("shardSize", 1000),
        Device = context.Get("device") ?? "auto",
        Precision = SSeg.Models.InferencePrecisions.Parse(context.Get("precision")),
    };
}
