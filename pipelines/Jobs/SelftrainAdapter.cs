using System.Security.Cryptography;
using System.Text;
using SSeg.Pipelines.Hosting;
using SSeg.Selftrain;
using SSeg.Selftrain.Data;
using SSeg.Selftrain.Model;
using SSeg.Selftrain.Training;
using SSeg.Shards;
using SSeg.Shards.Storage;

namespace SSeg.Pipelines.Jobs;

/// <summary>S-Seg+ training: UperNet on a ViT backbone from the label dataset, one resumable job per run.</summary>
public sealed class SelftrainAdapter : IStageAdapter
{
    public string Name => "selftrain";
    public string Description => "S-Seg+: train UperNet on the S-Seg labels (one job per run, resumable).";
    public string Queue => Queues.Gpu;
    public string? Unavailable => null;

    public IReadOnlyList<StageOption> Options { get; } =
    [
        new("dataset", "Dataset written by selftrain-label.", Required: true, Kind: OptionKind.Name),
        new("run", "Run name: checkpoints under runs/<run>/.", Required: true, Kind: OptionKind.Name),
        new("generatorId", "Label generator id (empty: the dataset's only sseg-labels-* generator).", Kind: OptionKind.Name),
        new("pretrained", "MAE checkpoint for the backbone: a file name under <root>/models/ or, from the CLI and pipeline files, a path (empty: random init, tests only).", Kind: OptionKind.ModelOrPath),
        new("iterations", "Schedule length.", "20000"),
        new("stopAt", "Stop after this iteration (empty: the whole schedule)."),
        new("batchSize", "Images per iteration.", "16"),
        new("cropSize", "Training crop (model and augmentation).", "512"),
        new("learningRate", "AdamW learning rate.", "0.0001"),
        new("warmupIterations", "Warmup iterations.", "1500"),
        new("checkpointEvery", "Checkpoint interval (iterations).", "2000"),
        new("device", "auto, cpu or cuda[:N].", "auto"),
        new("threads", "CPU threads for libtorch (empty: default)."),
    ];

    public IReadOnlyList<string> Validate(StageContext context)
    {
        var errors = new List<string>();
        try
        {
            var options = Build(context);
            options.Validate();
            if (options.Pretrained is { } pretrained && !File.Exists(pretrained)) errors.Add($"pretrained checkpoint not found: {pretrained}");
        }
        catch (Exception e) when (e is StageOptionException or ArgumentException) { errors.Add(e.Message); }
        return errors;
    }

    public async Task<StagePlan> PlanAsync(StageContext context, CancellationToken ct)
    {
        var manifest = await DatasetStore.Open(context.StorageRoot, context.AzureConnectionString).Dataset(OptionValue.Name(context, "dataset")).ReadManifestAsync(ct)
            ?? throw new InvalidDataException($"dataset '{OptionValue.Name(context, "dataset")}' does not exist");
        var input = string.Join(",", manifest.Shards.Select(s => $"{s.Kind}:{s.Index}:{s.Sha256}"));
        return new StagePlan(1, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(input))), Sharded: false);
    }

    public async Task DiscardStaleOutputAsync(StageContext context, CancellationToken ct) =>
        await TrainAdapter.DeletePrefixAsync(StorageFactory.Open(context.StorageRoot, context.AzureConnectionString), $"runs/{OptionValue.Name(context, "run")}/", ct);

    public async Task RunShardAsync(StageContext context, int shard, IProgress<StageProgress> progress, CancellationToken ct)
    {
        var result = await SelftrainStage.TrainAsync(Build(context),
            new ActionProgress<SelftrainProgress>(p => progress.Report(new StageProgress(p.Done, p.Total, p.Unit, p.Note))), ct);
        progress.Report(new StageProgress(result.EndIteration, result.EndIteration, "iterations", $"loss {result.LastLoss:0.000}, model {result.ModelPath}"));
    }

    public async Task<int> CountCompletedAsync(StageContext context, StagePlan plan, CancellationToken ct)
    {
        var storage = StorageFactory.Open(context.StorageRoot, context.AzureConnectionString);
        await foreach (var _ in storage.ListAsync($"runs/{OptionValue.Name(context, "run")}/", ct)) return 1;
        return 0;
    }

    public Task<string> SummarizeAsync(StageContext context, CancellationToken ct) =>
        Task.FromResult($"run {OptionValue.Name(context, "run")} under {context.StorageRoot.TrimEnd('/')}/runs/{OptionValue.Name(context, "run")}/");

    private static SelftrainTrainOptions Build(StageContext context)
    {
        var crop = context.GetInt("cropSize", 512);
        return new SelftrainTrainOptions
        {
            StorageRoot = context.StorageRoot,
            AzureConnectionString = context.AzureConnectionString,
            Dataset = OptionValue.Name(context, "dataset"),
            Run = OptionValue.Name(context, "run"),
            GeneratorId = OptionValue.OptionalName(context, "generatorId"),
            Pretrained = OptionValue.ResolveOptional(context, "pretrained", OptionKind.ModelOrPath),
            Model = new SSegPlusConfig { CropSize = crop },
            Augment = new AugmentOptions { CropSize = crop },
            Iterations = context.GetInt("iterations", 20000),
            StopAtIteration = context.Get("stopAt") is null ? null : context.GetInt("stopAt", 1),
            BatchSize = context.GetInt("batchSize", 16),
            LearningRate = context.GetDouble("learningRate", 1e-4),
            WarmupIterations = context.GetInt("warmupIterations", 1500),
            CheckpointEvery = context.GetInt("checkpointEvery", 2000),
            Device = context.Get("device") ?? "auto",
            Threads = context.Get("threads") is null ? null : context.GetInt("threads", 0),
        };
    }
}
