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
    public string? Unavailable => null;

    public IReadOnlyList<StageOption> Options { get; } =
    [
        new("dataset", "Dataset whose image shards get masks.", Required: true, Kind: OptionKind.Name),
        new("model", "DINO backbone: vit_small or vit_base (vit_tiny with randomWeights).", "vit_small"),
        new("patch", "Patch size (8 or 16).", "8"),
        new("feature", "tokens, keys or rgb (rgb: mean colour per patch, no network).", "tokens"),
        new("k", "Clusters per image.", "8"),
        new("seed", "k-means seed.", "0"),
        new("maxSide", "Long-side cap of the network input (pixels).", "448"),
        new("batchSize", "Images per forward pass.", "16"),
        new("checkpoint", "Backbone weights (.pth/.safetensors): a file name under <root>/models/ or, from the CLI and pipeline files, a path; empty: <root>/models/<official name>.", Kind: OptionKind.ModelOrPath),
        new("randomWeights", "Random ViT weights (tests and demos only; marked in the mask metadata).", "false"),
        new("generatorId", "Mask folder id (a name); empty: derived from the settings (e.g. dino_vit_small8_tokens_k8_s0_m448).", Kind: OptionKind.Name),
        new("threads", "CPU threads for libtorch (empty: default)."),
        new("precision", "dtype of the ViT forward pass: fp32, bf16 or fp16 (CUDA only); k-means stays fp32.", "fp32"),
    ];

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
        var manifest = await Manifest(context, ct) ?? throw new InvalidDataException($"dataset '{OptionValue.Name(context, "dataset")}' does not exist");
        var shards = manifest.ImageShards;
        if (shards.Count == 0) throw new InvalidDataException($"dataset '{manifest.Name}' has no image shards");
        // The input is the image shards' content; the upstream fingerprint (ingest) is chained in by the engine.
        var input = string.Join(",", shards.Select(s => $"{s.Index}:{s.Sha256}"));
        return new StagePlan(shards.Count, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(input))));
    }

    public Task DiscardStaleOutputAsync(StageContext context, CancellationToken ct) =>
        Task.CompletedTask; // other settings write to another generator folder; new image shards mean a rebuilt dataset

    /// <summary>
    /// One image shard. An unreadable shard file throws <see cref="UnreadableShardException"/> (shard index, file and the
    /// reader's error in its message): that job fails with it while the other shards' jobs go on.
    /// </summary>
    public async Task RunShardAsync(StageContext context, int shard, IProgress<StageProgress> progress, CancellationToken ct)
    {
        var manifest = await Manifest(context, ct) ?? throw new InvalidDataException($"dataset '{OptionValue.Name(context, "dataset")}' does not exist");
        var index = manifest.ImageShards[shard].Index;
        var summary = await PseudomaskStage.RunShardAsync(Build(context), index,
            new ActionProgress<PseudomaskProgress>(p => progress.Report(new StageProgress(p.Done, p.Total, "images"))), ct);
        progress.Report(new StageProgress(summary.Images, summary.Images, "images",
            summary.Skipped ? "skipped: already committed" : $"{summary.Masks} masks, {summary.Failures.Count} failed, {summary.ImagesPerSecond:0.0} img/s"));
    }

    public async Task<int> CountCompletedAsync(StageContext context, StagePlan plan, CancellationToken ct)
    {
        var manifest = await Manifest(context, ct);
        if (manifest is null) return 0;
        var kind = ShardNames.MasksKind(Build(context).GeneratorId!);
        return manifest.ImageShards.Count(s => manifest.Find(kind, s.Index) is not null);
    }

    public async Task<string> SummarizeAsync(StageContext context, CancellationToken ct)
    {
        var options = Build(context);
        var id = options.GeneratorId!;
        var manifest = await Manifest(context, ct);
        var masks = manifest?.ShardsOf(ShardNames.MasksKind(id)) ?? [];
        var what = options.Generator.Feature == FeatureKind.Rgb ? "RGB features (no DINO weights)"
            : options.Generator.RandomWeights ? $"RANDOM-WEIGHT {options.Generator.Model} (demo/test only)"
            : $"DINO {options.Generator.Model}/{options.Generator.Patch}";
        return $"masks/{id}: {masks.Sum(s => s.Rows)} masks in {masks.Count} shard(s) from {what}, k={options.Generator.K}";
    }

    private static async Task<DatasetManifest?> Manifest(StageContext context, CancellationToken ct) =>
        await DatasetStore.Open(context.StorageRoot, context.AzureConnectionString).Dataset(OptionValue.Name(context, "dataset")).ReadManifestAsync(ct);

    /// <summary>The generator id the stage will use: explicit, or the stage's own default naming (no model loaded).</summary>
    private static string GeneratorId(PseudomaskOptions options) =>
        options.GeneratorId ?? PseudomaskGenerator.GeneratorIdFor(options.Generator);

    /// <summary>Options with the generator id pinned, so the barrier and every job agree on the mask folder.</summary>
    private static PseudomaskOptions Build(StageContext context)
    {
        var options = new PseudomaskOptions
        {
            Root = context.StorageRoot,
            AzureConnectionString = context.AzureConnectionString,
            Dataset = OptionValue.Name(context, "dataset"),
            Generator = new GeneratorOptions
            {
                Model = context.Get("model") ?? "vit_small",
                Patch = context.GetInt("patch", 8),
                Feature = FeatureKinds.Parse(context.Get("feature") ?? "tokens"),
                K = context.GetInt("k", 8),
                Seed = context.GetInt("seed", 0),
                MaxSide = context.GetInt("maxSide", 448),
                BatchSize = context.GetInt("batchSize", 16),
                Checkpoint = OptionValue.ResolveOptional(context, "checkpoint", OptionKind.ModelOrPath),
                RandomWeights = context.GetBool("randomWeights", false),
                Threads = context.Get("threads") is null ? null : context.GetInt("threads", 0),
                Precision = SSeg.Models.InferencePrecisions.Parse(context.Get("precision")),
            },
            GeneratorId = OptionValue.OptionalName(context, "generatorId"),
        };
        return options with { GeneratorId = GeneratorId(options) };
    }
}
