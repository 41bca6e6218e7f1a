using System.Security.Cryptography;
using System.Text;
using SSeg.Pipelines.Hosting;
using SSeg.Shards;
using SSeg.Shards.Storage;
using SSeg.Train.Model;
using SSeg.Train.Text;
using SSeg.Runs;
using SSeg.Train.Training;

namespace SSeg.Pipelines.Jobs;

/// <summary>Train S-Seg: one job per run (TrainStage.RunAsync), resuming from the run's last checkpoint when re-run.</summary>
public sealed class TrainAdapter : IStageAdapter
{
    public string Name => "train";
    public string Description => "Train S-Seg on image + mask shards (one job per run, resumable).";
    public string Queue => Queues.Gpu;
    public string? Unavailable => null;

    public IReadOnlyList<StageOption> Options { get; } =
    [
        new("dataset", "Dataset with image shards and masks.", Required: true, Kind: OptionKind.Name),
        new("run", "Run name: checkpoints and metrics under runs/<run>/.", Required: true, Kind: OptionKind.Name),
        new("maskGenerator", "Mask generator id (masks/<id>); empty: the dataset's only generator.", Kind: OptionKind.Name),
        new("model", "Model preset: vit-s16 (paper) or tiny (tests, demo, CPU).", "vit-s16"),
        new("vocab", "CLIP merges file (a name under <root>/models/ or, from the CLI and pipeline files, a path); empty: learn the dataset's own BPE vocabulary (train vocab) first.", Kind: OptionKind.ModelOrPath),
        new("vocabSize", "Size of the dataset's own vocabulary.", "49408"),
        new("batchSize", "Images per step (times accumulation).", "64"),
        new("accumulation", "Gradient accumulation steps.", "1"),
        new("epochs", "Epochs of the schedule.", "30"),
        new("maxSteps", "Stop after this many optimizer steps (empty: the whole schedule)."),
        new("baseLr", "Base learning rate at the reference batch 4096 (scaled to the effective batch).", "0.0005"),
        new("warmupEpochs", "Warmup epochs.", "2"),
        new("shuffleBuffer", "Samples in the cross-shard shuffle buffer.", "10000"),
        new("decodeWorkers", "Image decode workers (empty: one per core)."),
        new("seed", "Data order and initialisation seed.", "0"),
        new("skipBadShards", "Train on the rest when image/mask shards fail the pre-flight check (listed in run.json); false refuses and names them.", "false"),
        new("checkpointEverySteps", "Checkpoint interval.", "1000"),
        new("device", "auto, cpu or cuda[:N].", "auto"),
        new("threads", "CPU threads for libtorch (empty: default)."),
    ];

    public IReadOnlyList<string> Validate(StageContext context)
    {
        var errors = new List<string>();
        try
        {
            OptionValue.OptionalName(context, "run");
            SSegModelConfig.FromPreset(context.Get("model") ?? "vit-s16");
            if (OptionValue.ResolveOptional(context, "vocab", OptionKind.ModelOrPath) is { } vocab && !File.Exists(vocab)) errors.Add($"vocabulary file not found: {vocab}");
            context.GetDouble("baseLr", 5e-4);
            context.GetDouble("warmupEpochs", 2);
            foreach (var name in new[] { "vocabSize", "batchSize", "accumulation", "epochs", "checkpointEverySteps", "shuffleBuffer", "decodeWorkers" })
                if (context.GetInt(name, 1) < 1) errors.Add($"{name} must be at least 1");
            context.GetBool("skipBadShards", false);
            if (context.Get("maxSteps") is not null && context.GetInt("maxSteps", 1) < 1) errors.Add("maxSteps must be at least 1");
        }
        catch (Exception e) when (e is StageOptionException or ArgumentException) { errors.Add(e.Message); }
        return errors;
    }

    public async Task<StagePlan> PlanAsync(StageContext context, CancellationToken ct)
    {
        var manifest = await Manifest(context, ct) ?? throw new InvalidDataException($"dataset '{OptionValue.Name(context, "dataset")}' does not exist");
        var generator = MaskGenerator(context, manifest);
        var input = string.Join(",", manifest.Shards.Where(s => s.Kind == ShardNames.ImagesKind || s.Kind == ShardNames.MasksKind(generator))
            .Select(s => $"{s.Kind}:{s.Index}:{s.Sha256}"));
        return new StagePlan(1, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(input))), Sharded: false);
    }

    /// <summary>Other data or settings: start the run over instead of resuming a checkpoint trained on something else.</summary>
    public async Task DiscardStaleOutputAsync(StageContext context, CancellationToken ct) =>
        await DeletePrefixAsync(StorageFactory.Open(context.StorageRoot, context.AzureConnectionString), $"runs/{OptionValue.Name(context, "run")}/", ct);

    public async Task RunShardAsync(StageContext context, int shard, IProgress<StageProgress> progress, CancellationToken ct)
    {
        var manifest = await Manifest(context, ct) ?? throw new InvalidDataException($"dataset '{OptionValue.Name(context, "dataset")}' does not exist");
        var options = Build(context, MaskGenerator(context, manifest));
        if (options.VocabPath is null)
        {
            progress.Report(new StageProgress(0, null, "steps", "learning the dataset's vocabulary"));
            await VocabStage.RunAsync(options.StorageRoot, options.Dataset, options.VocabSize, azureConnectionString: options.AzureConnectionString, ct: ct);
        }
        var result = await TrainStage.RunAsync(options,
            new ActionProgress<RunProgress>(p => progress.Report(new StageProgress(p.Step, p.TotalSteps, "steps", $"epoch {p.Epoch}, loss {p.Loss:0.000}"))), ct);
        progress.Report(new StageProgress(result.Steps, result.Steps, "steps", $"checkpoint {result.LastCheckpoint}"));
    }

    public async Task<int> CountCompletedAsync(StageContext context, StagePlan plan, CancellationToken ct)
    {
        var run = new RunFolder(StorageFactory.Open(context.StorageRoot, context.AzureConnectionString), OptionValue.Name(context, "run"));
        return await new CheckpointManager(run).LatestAsync(ct) is null ? 0 : 1;
    }

    public async Task<string> SummarizeAsync(StageContext context, CancellationToken ct)
    {
        var run = new RunFolder(StorageFactory.Open(context.StorageRoot, context.AzureConnectionString), OptionValue.Name(context, "run"));
        var latest = await new CheckpointManager(run).LatestAsync(ct);
        return $"run {OptionValue.Name(context, "run")} ({context.Get("model") ?? "vit-s16"}): checkpoint {latest ?? "none"} under {context.StorageRoot.TrimEnd('/')}/{run.Prefix}/";
    }

    internal static async Task DeletePrefixAsync(IStorage storage, string prefix, CancellationToken ct)
    {
        var keys = new List<string>();
        await foreach (var item in storage.ListAsync(prefix, ct)) keys.Add(item.Key);
        foreach (var key in keys) await storage.DeleteAsync(key, ct);
    }

    private static async Task<DatasetManifest?> Manifest(StageContext context, CancellationToken ct) =>
        await DatasetStore.Open(context.StorageRoot, context.AzureConnectionString).Dataset(OptionValue.Name(context, "dataset")).ReadManifestAsync(ct);

    private static string MaskGenerator(StageContext context, DatasetManifest manifest)
    {
        if (OptionValue.OptionalName(context, "maskGenerator") is { } explicitId) return explicitId;
        var generators = manifest.Shards.Where(s => s.Kind.StartsWith("masks/", StringComparison.Ordinal))
            .Select(s => s.Kind["masks/".Length..]).Distinct().ToList();
        return generators.Count == 1 ? generators[0]
            : throw new InvalidDataException(generators.Count == 0
                ? $"dataset '{manifest.Name}' has no masks: run pseudomask first"
                : $"dataset '{manifest.Name}' has masks from {string.Join(", ", generators)}: set option maskGenerator");
    }

    private static TrainOptions Build(StageContext context, string maskGenerator) => new()
    {
        StorageRoot = context.StorageRoot,
        AzureConnectionString = context.AzureConnectionString,
        Dataset = OptionValue.Name(context, "dataset"),
        Run = OptionValue.Name(context, "run"),
        MaskGenerator = maskGenerator,
        Model = SSegModelConfig.FromPreset(context.Get("model") ?? "vit-s16"),
        VocabPath = OptionValue.ResolveOptional(context, "vocab", OptionKind.ModelOrPath),
        VocabSize = context.GetInt("vocabSize", 49408),
        BatchSize = context.GetInt("batchSize", 64),
        Accumulation = context.GetInt("accumulation", 1),
        Epochs = context.GetInt("epochs", 30),
        MaxSteps = context.Get("maxSteps") is null ? null : context.GetInt("maxSteps", 1),
        LearningRate = context.GetDouble("baseLr", 5e-4),
        WarmupEpochs = context.GetDouble("warmupEpochs", 2),
        ShuffleBuffer = context.GetInt("shuffleBuffer", 10_000),
        DecodeWorkers = context.Get("decodeWorkers") is null ? Math.Max(1, Environment.ProcessorCount) : context.GetInt("decodeWorkers", 1),
        Seed = context.GetInt("seed", 0),
        SkipBadShards = context.GetBool("skipBadShards", false),
        CheckpointEvery = context.GetInt("checkpointEverySteps", 1000),
        Device = context.Get("device") ?? "auto",
        Threads = context.Get("threads") is null ? null : context.GetInt("threads", 0),
        Resume = true,
    };
}
