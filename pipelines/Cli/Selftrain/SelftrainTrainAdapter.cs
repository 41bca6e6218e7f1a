using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SSeg.Pipelines.Hosting;
using SSeg.Pipelines.Jobs;
using SSeg.Selftrain;
using SSeg.Shards;
using SSeg.Shards.Storage;
using SSeg.Train.Training;

namespace SSeg.Pipelines.Cli.Selftrain;

/// <summary>
/// Hangfire stage "selftrain": one job per run (<see cref="SelftrainStage.TrainAsync"/>), resuming from the run's last
/// checkpoint when re-run. Register it in place of the NotBuiltStage.
/// </summary>
public sealed class SelftrainTrainAdapter : IStageAdapter
{
    public string Name => "selftrain";
    public string Description => "Train S-Seg+ (MAE ViT-B/16 + UperNet) on S-Seg labels (one job per run, resumable).";
    public string Queue => Queues.Gpu;
    public string? Unavailable => null;

    public IReadOnlyList<StageOption> Options { get; } =
    [
        new("dataset", "Dataset written by selftrain-label.", Required: true),
        new("run", "Run name: checkpoints, metrics and model.safetensors under runs/<run>/.", Required: true),
        new("labels", "Label generator id (empty: the dataset's only sseg-labels-*)."),
        new("pretrained", "MAE checkpoint (mae_pretrain_vit_base.pth); empty: random init (smoke tests only)."),
        new("schedule", "voc (20k iterations), context (40k, 480 crops) or coco (80k).", "voc"),
        new("model", "vit-b16 (paper) or vit-tiny16.", "vit-b16"),
        new("iterations", "Override the schedule's iterations."),
        new("batchSize", "Images per iteration.", "16"),
        new("lr", "Base learning rate.", "0.0001"),
        new("checkpointEvery", "Iterations between checkpoints.", "2000"),
        new("seed", "Data order, augmentation and initialisation seed.", "0"),
        new("device", "auto, cpu or cuda[:N].", "auto"),
        new("threads", "CPU threads for libtorch (empty: default)."),
    ];

    public IReadOnlyList<string> Validate(StageContext context)
    {
        var errors = new List<string>();
        try
        {
            var options = Build(context);
            if (options.Pretrained is { } p && !File.Exists(p)) errors.Add($"MAE checkpoint not found: {p}");
            options.Validate();
        }
        catch (Exception e) when (e is StageOptionException or ArgumentException) { errors.Add(e.Message); }
        return errors;
    }

    public async Task<StagePlan> PlanAsync(StageContext context, CancellationToken ct)
    {
        var manifest = await DatasetStore.Open(context.StorageRoot, context.AzureConnectionString).Dataset(context.Require("dataset")).ReadManifestAsync(ct)
            ?? throw new InvalidDataException($"dataset '{context.Require("dataset")}' does not exist: run selftrain-label first");
        var input = string.Join(",", manifest.Shards.Where(s => s.Kind == ShardNames.ImagesKind || s.Kind.StartsWith("masks/sseg-labels-", StringComparison.Ordinal))
            .Select(s => $"{s.Kind}:{s.Index}:{s.Sha256}"));
        return new StagePlan(1, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(input))), Sharded: false);
    }

    /// <summary>Other labels or settings: start the run over instead of resuming a checkpoint trained on something else.</summary>
    public async Task DiscardStaleOutputAsync(StageContext context, CancellationToken ct)
    {
        var storage = StorageFactory.Open(context.StorageRoot, context.AzureConnectionString);
        var keys = new List<string>();
        await foreach (var item in storage.ListAsync($"runs/{context.Require("run")}/", ct)) keys.Add(item.Key);
        foreach (var key in keys) await storage.DeleteAsync(key, ct);
    }

    public async Task RunShardAsync(StageContext context, int shard, IProgress<StageProgress> progress, CancellationToken ct)
    {
        var result = await SelftrainStage.TrainAsync(Build(context),
            new ActionProgress<SelftrainProgress>(p => progress.Report(new StageProgress(p.Done, p.Total, p.Unit, p.Note))), ct);
        progress.Report(new StageProgress(result.EndIteration, result.EndIteration, "iterations",
            result.ModelPath is null ? "stopped before the end of the schedule" : $"model {result.ModelPath}"));
    }

    public async Task<int> CountCompletedAsync(StageContext context, StagePlan plan, CancellationToken ct)
    {
        var storage = StorageFactory.Open(context.StorageRoot, context.AzureConnectionString);
        return await storage.GetInfoAsync($"runs/{context.Require("run")}/{RunStore.ModelFile}", ct) is null ? 0 : 1;
    }

    public async Task<string> SummarizeAsync(StageContext context, CancellationToken ct)
    {
        var run = new RunStore(StorageFactory.Open(context.StorageRoot, context.AzureConnectionString), context.Require("run"));
        var latest = await run.LatestCheckpointAsync(ct);
        return string.Create(CultureInfo.InvariantCulture,
            $"S-Seg+ run {context.Require("run")}: checkpoint {latest ?? "none"} under {context.StorageRoot.TrimEnd('/')}/{run.Prefix}/");
    }

    private static SSeg.Selftrain.Training.SelftrainTrainOptions Build(StageContext context) =>
        SelftrainPresets.TrainOptions(context.StorageRoot, context.AzureConnectionString, context.Require("dataset"), context.Require("run"),
            context.Get("labels"), context.Get("pretrained"), context.Get("schedule") ?? "voc", context.Get("model") ?? "vit-b16",
            context.Get("iterations") is null ? null : context.GetInt("iterations", 1), context.GetInt("batchSize", 16), context.GetDouble("lr", 1e-4),
            context.GetInt("checkpointEvery", 2000), 50, context.GetInt("seed", 0), context.Get("device") ?? "auto",
            context.Get("threads") is null ? null : context.GetInt("threads", 1), stopAt: null);
}
