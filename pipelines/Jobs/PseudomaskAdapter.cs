using SSeg.Pipelines.Hosting;
using SSeg.Pseudomask;
using SSeg.Shards;

namespace SSeg.Pipelines.Jobs;

/// <summary>Pseudomask: one job per committed image shard (PseudomaskStage.RunShardAsync) into masks/&lt;generator&gt;/.</summary>
public sealed class PseudomaskAdapter : IStageAdapter
{
    public string Name => "pseudomask";
    public string Description => "DINO ViT features (or RGB) + per-image k-means into mask shards.";
    public string Queue => Queues.Gpu;

    public IReadOnlyList<StageOption> Options => PseudomaskStageOptions.All;

    public IReadOnlyList<string> Validate(StageContext context)
    {
        var errors = new List<string>();
        try
        {
            var options = Build(context);
            options.Generator.Validate();
            if (options.Generator.Checkpoint is { } checkpoint && !File.Exists(checkpoint)) errors.Add($"checkpoint not found: {checkpoint}");
        }
        catch (Exception e) when (e is StageOptionException or ArgumentException) { errors.Add(e.Message); }
        return errors;
    }

    public async Task<StagePlan> PlanAsync(StageContext context, CancellationToken ct)
    {
        var index = await Index(context, ct) ?? throw new InvalidDataException($"dataset '{OptionValue.Name(context, PseudomaskStageOptions.Dataset.Name)}' does not exist");
        // The input is the image shards' content; the upstream fingerprint (ingest) is chained in by the engine.
        var (shards, input) = await ShardContentFingerprint.OfAsync(Dataset(context), [ShardNames.ImagesKind], s => $"{s.Index}:{s.Sha256}", ct);
        if (shards == 0) throw new InvalidDataException($"dataset '{index.Name}' has no image shards");
        return new StagePlan(shards, input);
    }

    public Task DiscardStaleOutputAsync(StageContext context, CancellationToken ct) =>
        Task.CompletedTask; // other settings write to another generator folder; new image shards mean a rebuilt dataset

    /// <summary>
    /// One image shard. An unreadable shard file throws <see cref="UnreadableShardException"/> (shard index, file and the
    /// reader's error in its message): that job fails with it while the other shards' jobs go on.
    /// </summary>
    public async Task RunShardAsync(StageContext context, int shard, IProgress<StageProgress> progress, CancellationToken ct)
    {
        var index = await Index(context, ct) ?? throw new InvalidDataException($"dataset '{OptionValue.Name(context, PseudomaskStageOptions.Dataset.Name)}' does not exist");
        var summary = await PseudomaskStage.RunShardAsync(Build(context), index.ImageShards[shard].Index,
            new ActionProgress<PseudomaskProgress>(p => progress.Report(new StageProgress(p.Done, p.Total, "images"))), ct);
        progress.Report(new StageProgress(summary.Images, summary.Images, "images",
            summary.Skipped ? ShardRebuildNotes.Unchanged
            : (summary.Rebuilt ? $"{ShardRebuildNotes.Rebuilt}: " : "") + $"{summary.Masks} masks, {summary.Failures.Count} failed, {summary.ImagesPerSecond:0.0} img/s"));
    }

    public async Task<int> CountCompletedAsync(StageContext context, StagePlan plan, CancellationToken ct)
    {
        var index = await Index(context, ct);
        if (index is null) return 0;
        var kind = ShardNames.MasksKind(Build(context).GeneratorId!);
        return index.ImageShards.Count(s => index.Find(kind, s.Index) is not null);
    }

    public async Task<string> SummarizeAsync(StageContext context, CancellationToken ct)
    {
        var options = Build(context);
        var id = options.GeneratorId!;
        var index = await Index(context, ct);
        var masks = index?.ShardsOf(ShardNames.MasksKind(id)) ?? [];
        var what = options.Generator.Feature == FeatureKind.Rgb ? "RGB features (no DINO weights)"
            : options.Generator.RandomWeights ? $"RANDOM-WEIGHT {options.Generator.Model} (demo/test only)"
            : $"DINO {options.Generator.Model}/{options.Generator.Patch}";
        return $"masks/{id}: {masks.Sum(s => s.Rows)} masks in {masks.Count} shard(s) from {what}, k={options.Generator.K}";
    }

    private static Task<DatasetIndex?> Index(StageContext context, CancellationToken ct) => Dataset(context).ReadIndexAsync(ct);

    private static Dataset Dataset(StageContext context) =>
        DatasetStore.Open(context.StorageRoot, context.AzureConnectionString).Dataset(OptionValue.Name(context, PseudomaskStageOptions.Dataset.Name));

    /// <summary>Options with the generator id pinned, so the barrier and every job agree on the mask folder.</summary>
    private static PseudomaskOptions Build(StageContext context)
    {
        var options = BuildUnpinned(context);
        return options with { GeneratorId = options.GeneratorId ?? PseudomaskGenerator.GeneratorIdFor(options.Generator) };
    }

    /// <summary>The stage's options from their declarations (PseudomaskStageOptions); the `pseudomask` verb builds them here too.</summary>
    public static PseudomaskOptions BuildUnpinned(StageContext context) => new()
    {
        Root = context.StorageRoot,
        AzureConnectionString = context.AzureConnectionString,
        Dataset = OptionValue.Name(context, PseudomaskStageOptions.Dataset.Name),
        Generator = BuildGenerator(context),
        GeneratorId = OptionValue.OptionalName(context, PseudomaskStageOptions.GeneratorId.Name),
    };

    /// <summary>The generator settings from their declarations (PseudomaskStageOptions.Generator).</summary>
    public static GeneratorOptions BuildGenerator(StageContext context) => new()
    {
        Model = context.Choice(PseudomaskStageOptions.Model),
        Patch = int.Parse(context.Text(PseudomaskStageOptions.Patch), System.Globalization.CultureInfo.InvariantCulture),
        Feature = FeatureKinds.Parse(context.Choice(PseudomaskStageOptions.Feature)),
        K = context.Int(PseudomaskStageOptions.K),
        Seed = context.Int(CommonStageOptions.Seed),
        MaxIterations = context.Int(PseudomaskStageOptions.MaxIterations),
        MaxSide = context.Int(PseudomaskStageOptions.MaxSide),
        BatchSize = context.Int(PseudomaskStageOptions.BatchSize),
        Checkpoint = OptionValue.ResolveOptional(context, PseudomaskStageOptions.Checkpoint.Name, OptionKind.ModelOrPath),
        RandomWeights = context.Flag(PseudomaskStageOptions.RandomWeights),
        Threads = context.OptionalInt(CommonStageOptions.Threads),
        Device = context.Text(CommonStageOptions.Device),
        Precision = SSeg.Models.InferencePrecisions.Parse(context.Choice(CommonStageOptions.Precision)),
    };
}
