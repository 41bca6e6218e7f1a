using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SSeg.Eval.Protocol;
using SSeg.Eval.Scoring;
using SSeg.Pipelines.Hosting;
using SSeg.Pipelines.Jobs;
using SSeg.Selftrain;
using SSeg.Selftrain.Labeling;
using SSeg.Shards;

namespace SSeg.Pipelines.Cli.Selftrain;

/// <summary>
/// Hangfire stage "selftrain-label": one job per label shard (<see cref="SelftrainStage.LabelShardAsync"/>); the
/// barrier counts committed label shards of the teacher's generator. Register it in place of the NotBuiltStage.
/// </summary>
public sealed class SelftrainLabelAdapter : IStageAdapter
{
    private static readonly string[] ScorerAssemblies = ["SSeg.Train", "SSeg.Selftrain"];

    public string Name => "selftrain-label";
    public string Description => "Label target training images with a trained S-Seg (S-Seg+ pseudo-labels, one job per shard).";
    public string Queue => Queues.Gpu;
    public string? Unavailable => null;

    public IReadOnlyList<StageOption> Options { get; } =
    [
        new("dataset", "Output dataset (images + label masks).", Required: true),
        new("target", "Target images as layout=DIR (voc, context, coco-object, folder).", Required: true),
        new("split", "Split (empty: voc train_aug, context train, coco-object train2017)."),
        new("classes", "Class names, background first (folder layout only).", Multiline: true),
        new("teacher", "S-Seg checkpoint (file, checkpoint folder or run folder); a bare name means runs/<name> under the data root.", Required: true),
        new("teacherKind", "Scorer kind of the teacher (empty: detected)."),
        new("threshold", "Background threshold τ (empty: the dataset's default)."),
        new("shardSize", "Images per shard.", "1000"),
        new("device", "auto, cpu or cuda[:N].", "auto"),
    ];

    public IReadOnlyList<string> Validate(StageContext context)
    {
        var errors = new List<string>();
        try
        {
            var options = Build(context);
            if (!Directory.Exists(options.TargetRoot)) errors.Add($"target folder not found: {options.TargetRoot}");
            if (!File.Exists(options.TeacherCheckpoint) && !Directory.Exists(options.TeacherCheckpoint))
                errors.Add($"teacher checkpoint not found: {options.TeacherCheckpoint}");
            if (options.ShardSize < 1) errors.Add("shardSize must be at least 1");
        }
        catch (Exception e) when (e is StageOptionException or ArgumentException) { errors.Add(e.Message); }
        return errors;
    }

    public Task<StagePlan> PlanAsync(StageContext context, CancellationToken ct)
    {
        var plan = SelftrainStage.PlanLabels(Build(context));
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{plan.ConfigHash}|{plan.Generator.Id}|{plan.Generator.CheckpointHash}")));
        return Task.FromResult(new StagePlan(plan.Shards, hash));
    }

    /// <summary>A new image slicing (split, shard size, image list) cannot extend the old dataset: delete it. A new teacher
    /// only adds a new label generator next to the old one, so nothing is discarded then.</summary>
    public async Task DiscardStaleOutputAsync(StageContext context, CancellationToken ct)
    {
        var options = Build(context);
        var plan = SelftrainStage.PlanLabels(options);
        var manifest = await DatasetStore.Open(context.StorageRoot, context.AzureConnectionString).Dataset(options.Dataset).ReadManifestAsync(ct);
        if (manifest?.ConfigHash is { } existing && existing != plan.ConfigHash)
            await DatasetFolders.DeleteAsync(context.StorageRoot, context.AzureConnectionString, options.Dataset, ct);
    }

    public async Task RunShardAsync(StageContext context, int shard, IProgress<StageProgress> progress, CancellationToken ct)
    {
        var result = await SelftrainStage.LabelShardAsync(Build(context), shard, ScorerDiscovery.FromAssemblyNames(ScorerAssemblies),
            new ActionProgress<SelftrainProgress>(p => progress.Report(new StageProgress(p.Done, p.Total, p.Unit, p.Note))), ct);
        progress.Report(new StageProgress(result.Labelled, result.Labelled, "images",
            result.Skipped ? "already labelled" : $"{result.Failed} failed"));
    }

    public async Task<int> CountCompletedAsync(StageContext context, StagePlan plan, CancellationToken ct)
    {
        var options = Build(context);
        var generator = SelftrainStage.PlanLabels(options).Generator.Id;
        var manifest = await DatasetStore.Open(context.StorageRoot, context.AzureConnectionString).Dataset(options.Dataset).ReadManifestAsync(ct);
        return manifest?.ShardsOf(ShardNames.MasksKind(generator)).Count(s => s.Index < plan.Shards) ?? 0;
    }

    public async Task<string> SummarizeAsync(StageContext context, CancellationToken ct)
    {
        var options = Build(context);
        var manifest = await DatasetStore.Open(context.StorageRoot, context.AzureConnectionString).Dataset(options.Dataset).ReadManifestAsync(ct);
        if (manifest is null) return $"dataset {options.Dataset}: not written yet";
        var labels = manifest.Shards.Where(s => s.Kind.StartsWith("masks/sseg-labels-", StringComparison.Ordinal)).ToList();
        return string.Create(CultureInfo.InvariantCulture,
            $"dataset {options.Dataset}: {labels.Sum(s => s.Rows)} labelled images in {labels.Count} shard(s) ({string.Join(", ", labels.Select(s => s.Kind[6..]).Distinct())})");
    }

    private static LabelOptions Build(StageContext context)
    {
        var target = context.Require("target");
        var eq = target.IndexOf('=');
        if (eq <= 0) throw new StageOptionException($"target '{target}' must look like layout=DIR, e.g. voc=/data/VOCdevkit");
        var teacher = context.Require("teacher");
        if (!File.Exists(teacher) && !Directory.Exists(teacher) && !teacher.Contains('/'))
            teacher = Path.Combine(Path.GetFullPath(context.StorageRoot), "runs", teacher);
        var classes = context.GetList("classes");
        return new LabelOptions
        {
            StorageRoot = context.StorageRoot, AzureConnectionString = context.AzureConnectionString, Dataset = context.Require("dataset"),
            TargetLayout = target[..eq].Trim().ToLowerInvariant(), TargetRoot = target[(eq + 1)..].Trim(), Split = context.Get("split"),
            ClassNames = classes.Count == 0 ? null : classes, TeacherCheckpoint = teacher, TeacherKind = context.Get("teacherKind"),
            BackgroundThreshold = context.Get("threshold") is null ? null : context.GetDouble("threshold", 0),
            ShardSize = context.GetInt("shardSize", 1000), Device = context.Get("device") ?? "auto",
            Inference = new InferenceOptions(),
        };
    }
}
