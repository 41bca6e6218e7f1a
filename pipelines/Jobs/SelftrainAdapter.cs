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

    public IReadOnlyList<StageOption> Options => SelftrainStageOptions.All;

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
        var dataset = DatasetStore.Open(context.StorageRoot, context.AzureConnectionString).Dataset(OptionValue.Name(context, SelftrainStageOptions.Dataset.Name));
        _ = await dataset.ReadIndexAsync(ct) ?? throw new InvalidDataException($"dataset '{OptionValue.Name(context, SelftrainStageOptions.Dataset.Name)}' does not exist");
        var (_, input) = await ShardContentFingerprint.OfAsync(dataset, [null], s => $"{s.Kind}:{s.Index}:{s.Sha256}", ct);
        return new StagePlan(1, input, Sharded: false);
    }

    public async Task DiscardStaleOutputAsync(StageContext context, CancellationToken ct) =>
        await TrainAdapter.DeletePrefixAsync(StorageFactory.Open(context.StorageRoot, context.AzureConnectionString), $"runs/{OptionValue.Name(context, SelftrainStageOptions.Run.Name)}/", ct);

    public async Task RunShardAsync(StageContext context, int shard, IProgress<StageProgress> progress, CancellationToken ct)
    {
        var result = await SelftrainStage.TrainAsync(Build(context),
            new ActionProgress<SelftrainProgress>(p => progress.Report(new StageProgress(p.Done, p.Total, p.Unit, p.Note))), ct);
        progress.Report(new StageProgress(result.EndIteration, result.EndIteration, "iterations", $"loss {result.LastLoss:0.000}, model {result.ModelPath}"));
    }

    public async Task<int> CountCompletedAsync(StageContext context, StagePlan plan, CancellationToken ct)
    {
        var storage = StorageFactory.Open(context.StorageRoot, context.AzureConnectionString);
        await foreach (var _ in storage.ListAsync($"runs/{OptionValue.Name(context, SelftrainStageOptions.Run.Name)}/", ct)) return 1;
        return 0;
    }

    public Task<string> SummarizeAsync(StageContext context, CancellationToken ct) =>
        Task.FromResult($"run {OptionValue.Name(context, SelftrainStageOptions.Run.Name)} under {context.StorageRoot.TrimEnd('/')}/runs/{OptionValue.Name(context, SelftrainStageOptions.Run.Name)}/");

    /// <summary>The stage's options from their declarations (SelftrainStageOptions); `selftrain train` builds them here too.</summary>
    public static SelftrainTrainOptions Build(StageContext context)
    {
        var (scheduleIterations, augment) = context.Choice(SelftrainStageOptions.Schedule) switch
        {
            "context" => (40000, AugmentOptions.PascalContext),
            "coco" => (80000, new AugmentOptions()),
            _ => (20000, new AugmentOptions()),
        };
        if (context.OptionalInt(SelftrainStageOptions.CropSize) is { } crop) augment = augment with { CropSize = crop };
        var model = context.Choice(SelftrainStageOptions.Model) == "vit-tiny16"
            ? new SSegPlusConfig { BackboneName = "vit_tiny", EmbedDim = 192, Heads = 3, HeadChannels = 192, AuxChannels = 64, CropSize = augment.CropSize }
            : new SSegPlusConfig { CropSize = augment.CropSize };
        return new SelftrainTrainOptions
        {
            StorageRoot = context.StorageRoot,
            AzureConnectionString = context.AzureConnectionString,
            Dataset = OptionValue.Name(context, SelftrainStageOptions.Dataset.Name),
            Run = OptionValue.Name(context, SelftrainStageOptions.Run.Name),
            GeneratorId = OptionValue.OptionalName(context, SelftrainStageOptions.GeneratorId.Name),
            Pretrained = OptionValue.ResolveOptional(context, SelftrainStageOptions.Pretrained.Name, OptionKind.ModelOrPath),
            Model = model,
            Augment = augment,
            Iterations = context.OptionalInt(SelftrainStageOptions.Iterations) ?? scheduleIterations,
            StopAtIteration = context.OptionalInt(SelftrainStageOptions.StopAt),
            BatchSize = context.Int(SelftrainStageOptions.BatchSize),
            LearningRate = context.Number(SelftrainStageOptions.LearningRate),
            WarmupIterations = context.Int(SelftrainStageOptions.WarmupIterations),
            CheckpointEvery = context.Int(SelftrainStageOptions.CheckpointEvery),
            LogEvery = context.Int(SelftrainStageOptions.LogEvery),
            Seed = context.Int(CommonStageOptions.Seed),
            Device = context.Text(CommonStageOptions.Device),
            Threads = context.OptionalInt(CommonStageOptions.Threads),
        };
    }
}
