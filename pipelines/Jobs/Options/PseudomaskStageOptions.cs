using SSeg.Pseudomask;
using static SSeg.Pipelines.Jobs.StageOption;

namespace SSeg.Pipelines.Jobs;

/// <summary>The pseudomask stage's options, declared once for the CLI verb, pipeline files and the Run form.</summary>
public static class PseudomaskStageOptions
{
    private static readonly GeneratorOptions Defaults = new();

    public static readonly StageOption Dataset = NameOption("dataset", "Dataset whose image shards get masks.", required: true);
    public static readonly StageOption Model = Choice("model", "DINO backbone (vit_tiny only with randomWeights).", Defaults.Model, "vit_small", "vit_base", "vit_tiny");
    public static readonly StageOption Patch = Choice("patch", "Patch size in pixels.", Defaults.Patch.ToString(), "8", "16");
    public static readonly StageOption Feature = Choice("feature", "tokens, keys or rgb (rgb: mean colour per patch, no network).", "tokens", "tokens", "keys", "rgb");
    public static readonly StageOption K = Int("k", "Clusters per image.", Defaults.K, 1, 255);
    public static readonly StageOption MaxIterations = Int("maxIterations", "Lloyd iterations at most.", Defaults.MaxIterations, 1, 10_000);
    public static readonly StageOption MaxSide = Int("maxSide", "Long-side cap of the network input in pixels.", Defaults.MaxSide, 16, 8192);
    public static readonly StageOption BatchSize = Int("batchSize", "Images per forward pass (equal sizes are batched together).", Defaults.BatchSize, 1, 4096);
    public static readonly StageOption Checkpoint = PathOption("checkpoint", OptionKind.ModelOrPath,
        "Backbone weights (.pth or .safetensors, e.g. dino_deitsmall8_pretrain.pth): a file name under <root>/models/ or, from the CLI and pipeline files, a path; empty: <root>/models/<official name>.");
    public static readonly StageOption RandomWeights = Flag("randomWeights", "Random ViT weights (tests and demos only; marked in the mask metadata).");
    public static readonly StageOption GeneratorId = NameOption("generatorId", "Mask folder id masks/<id> (a name); empty: derived from the settings (e.g. dino_vit_small8_tokens_k8_s0_m448).");

    /// <summary>How masks are made (also the options of `pseudomask oracle` and `bench pseudomask`).</summary>
    public static IReadOnlyList<StageOption> Generator { get; } =
    [
        Model, Patch, Feature, K, CommonStageOptions.Seed, MaxIterations, MaxSide, BatchSize, Checkpoint, RandomWeights,
        CommonStageOptions.Threads, CommonStageOptions.Device, CommonStageOptions.Precision,
    ];

    public static IReadOnlyList<StageOption> All { get; } = [Dataset, GeneratorId, .. Generator];
}
