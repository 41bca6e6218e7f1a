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

    public IReadOnlyList<StageOption> Options => TrainStageOptions.All;

    public IReadOnlyList<string> Validate(StageContext context)
    {
        var errors = new List<string>();
        try
        {
            var options = Build(context, maskGenerator: "");
            if (options.VocabPath is { } vocab && !File.Exists(vocab)) errors.Add($"vocabulary file not found: {vocab}");
        }
        catch (Exception e) when (e is StageOptionException or ArgumentException) { errors.Add(e.Message); }
        return errors;
    }

    public async Task<StagePlan> PlanAsync(StageContext context, CancellationToken ct)
    {
        var index = await Index(context, ct) ?? throw new InvalidDataException($"dataset '{OptionValue.Name(context, TrainStageOptions.Dataset.Name)}' does not exist");
        var generator = MaskGenerator(context, index);
        var (_, input) = await ShardContentFingerprint.OfAsync(Dataset(context),
            new[] { ShardNames.ImagesKind, ShardNames.MasksKind(generator) }.Order(StringComparer.Ordinal), s => $"{s.Kind}:{s.Index}:{s.Sha256}", ct);
        return new StagePlan(1, input, Sharded: false);
    }

    /// <summary>Other data or settings: start the run over instead of resuming a checkpoint trained on something else.</summary>
    public async Task DiscardStaleOutputAsync(StageContext context, CancellationToken ct) =>
        await DeletePrefixAsync(StorageFactory.Open(context.StorageRoot, context.AzureConnectionString), $"runs/{OptionValue.Name(context, TrainStageOptions.Run.Name)}/", ct);

    public async Task RunShardAsync(StageContext context, int shard, IProgress<StageProgress> progress, CancellationToken ct)
    {
        var index = await Index(context, ct) ?? throw new InvalidDataException($"dataset '{OptionValue.Name(context, TrainStageOptions.Dataset.Name)}' does not exist");
        var options = Build(context, MaskGenerator(context, index));
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
        var run = new RunFolder(StorageFactory.Open(context.StorageRoot, context.AzureConnectionString), OptionValue.Name(context, TrainStageOptions.Run.Name));
        return await new CheckpointManager(run).LatestAsync(ct) is null ? 0 : 1;
    }

    public async Task<string> SummarizeAsync(StageContext context, CancellationToken ct)
    {
        var run = new RunFolder(StorageFactory.Open(context.StorageRoot, context.AzureConnectionString), OptionValue.Name(context, TrainStageOptions.Run.Name));
        var latest = await new CheckpointManager(run).LatestAsync(ct);
        return $"run {OptionValue.Name(context, TrainStageOptions.Run.Name)} ({context.Choice(TrainStageOptions.Model)}): checkpoint {latest ?? "none"} under {context.StorageRoot.TrimEnd('/')}/{run.Prefix}/";
    }

    internal static async Task DeletePrefixAsync(IStorage storage, string prefix, CancellationToken ct)
    {
        var keys = new List<string>();
        await foreach (var item in storage.ListAsync(prefix, ct)) keys.Add(item.Key);
        foreach (var key in keys) await storage.DeleteAsync(key, ct);
    }

    private static Task<DatasetIndex?> Index(StageContext context, CancellationToken ct) => Dataset(context).ReadIndexAsync(ct);

    private static Dataset Dataset(StageContext context) =>
        DatasetStore.Open(context.StorageRoot, context.AzureConnectionString).Dataset(OptionValue.Name(context, TrainStageOptions.Dataset.Name));

    private static string MaskGenerator(StageContext context, DatasetIndex index)
    {
        if (OptionValue.OptionalName(context, TrainStageOptions.MaskGenerator.Name) is { } explicitId) return explicitId;
        var generators = index.Kinds.Select(ShardNames.GeneratorOfMasksKind).OfType<string>().Distinct().ToList();
        return generators.Count == 1 ? generators[0]
            : throw new InvalidDataException(generators.Count == 0
                ? $"dataset '{index.Name}' has no masks: run pseudomask first"
                : $"dataset '{index.Name}' has masks from {string.Join(", ", generators)}: set option maskGenerator");
    }

    /// <summary>
    /// The stage's options from their declarations (TrainStageOptions); the `train` verb builds them here too.
    /// <paramref name="maskGenerator"/> is the resolved generator (the option may leave it to the dataset).
    /// </summary>
    public static TrainOptions Build(StageContext context, string maskGenerator)
    {
        var model = SSegModelConfig.FromPreset(context.Choice(TrainStageOptions.Model));
        if (context.Flag(TrainStageOptions.ProjectThenAverage)) model = model with { ImageEmbedding = ImageEmbeddingOrder.ProjectThenAverage };
        return new TrainOptions
        {
            StorageRoot = context.StorageRoot,
            AzureConnectionString = context.AzureConnectionString,
            Dataset = OptionValue.Name(context, TrainStageOptions.Dataset.Name),
            Run = OptionValue.Name(context, TrainStageOptions.Run.Name),
            MaskGenerator = maskGenerator,
            Model = model,
            VocabPath = OptionValue.ResolveOptional(context, TrainStageOptions.Vocab.Name, OptionKind.ModelOrPath),
            VocabSize = context.Int(TrainStageOptions.VocabSize),
            BatchSize = context.Int(TrainStageOptions.BatchSize),
            Accumulation = context.Int(TrainStageOptions.Accumulation),
            ContrastiveBatch = context.OptionalInt(TrainStageOptions.ContrastiveBatch),
            Epochs = context.Int(TrainStageOptions.Epochs),
            MaxSteps = context.Value(TrainStageOptions.MaxSteps) is null ? null : context.Long(TrainStageOptions.MaxSteps),
            LearningRate = context.Number(TrainStageOptions.LearningRate),
            ScaleLrWithBatch = !context.Flag(TrainStageOptions.NoLrScaling),
            WeightDecay = context.Number(TrainStageOptions.WeightDecay),
            ClipGrad = context.Number(TrainStageOptions.ClipGrad),
            WarmupEpochs = context.Number(TrainStageOptions.WarmupEpochs),
            ShuffleBuffer = context.Int(TrainStageOptions.ShuffleBuffer),
            DecodeWorkers = context.OptionalInt(TrainStageOptions.DecodeWorkers) ?? Math.Max(1, Environment.ProcessorCount),
            Seed = context.Int(CommonStageOptions.Seed),
            SkipBadShards = context.Flag(TrainStageOptions.SkipBadShards),
            CheckpointEvery = context.Int(TrainStageOptions.CheckpointEvery),
            Device = context.Text(CommonStageOptions.Device),
            Devices = context.Value(TrainStageOptions.Devices),
            Threads = context.OptionalInt(CommonStageOptions.Threads),
            Resume = true,
        };
    }
}
