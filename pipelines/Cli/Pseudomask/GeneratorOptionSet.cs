using System.CommandLine;
using SSeg.Pseudomask;

namespace SSeg.Pipelines.Cli.Pseudomask;

/// <summary>The generator options shared by `pseudomask`, `pseudomask oracle` and `bench pseudomask`.</summary>
internal sealed class GeneratorOptionSet(string defaultModel = "vit_small", int defaultPatch = 8, int defaultMaxSide = 448, int defaultBatch = 16)
{
    public Option<string> Model { get; } = new("--model") { Description = "DINO backbone: vit_small or vit_base (vit_tiny only with --random-weights).", DefaultValueFactory = _ => defaultModel };
    public Option<int> Patch { get; } = new("--patch") { Description = "Patch size: 8 or 16.", DefaultValueFactory = _ => defaultPatch };
    public Option<string?> Checkpoint { get; } = new("--checkpoint") { Description = "Backbone weights (.pth or .safetensors), e.g. dino_deitsmall8_pretrain.pth. Default: <root>/models/<official name>." };
    public Option<bool> RandomWeights { get; } = new("--random-weights") { Description = "Random ViT weights: tests and demos only (warns; recorded in the mask metadata)." };
    public Option<string> Feature { get; } = new("--feature") { Description = "tokens (default), keys, or rgb (no network).", DefaultValueFactory = _ => "tokens" };
    public Option<int> K { get; } = new("--k") { Description = "Clusters per image.", DefaultValueFactory = _ => 8 };
    public Option<int> Seed { get; } = new("--seed") { Description = "k-means++ seed (combined with each image key).", DefaultValueFactory = _ => 0 };
    public Option<int> MaxIterations { get; } = new("--max-iterations") { Description = "Lloyd iterations at most.", DefaultValueFactory = _ => 30 };
    public Option<int> MaxSide { get; } = new("--max-side") { Description = "Long side cap of the network input in pixels.", DefaultValueFactory = _ => defaultMaxSide };
    public Option<int> BatchSize { get; } = new("--batch-size") { Description = "Images per forward pass (equal sizes are batched together).", DefaultValueFactory = _ => defaultBatch };
    public Option<int?> Threads { get; } = new("--threads") { Description = "CPU threads for libtorch." };
    public Option<string> Device { get; } = new("--device") { Description = "auto (CUDA if available), cpu, cuda or cuda:N.", DefaultValueFactory = _ => "auto" };
    public Option<string> Precision { get; } = new("--precision") { Description = "dtype of the ViT forward pass: fp32, bf16, or fp16 (CUDA only). k-means stays fp32.", DefaultValueFactory = _ => "fp32" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Model, Patch, Checkpoint, RandomWeights, Feature, K, Seed, MaxIterations, MaxSide, BatchSize, Threads, Device, Precision })
            command.Options.Add(option);
    }

    public GeneratorOptions Build(ParseResult parse) => new()
    {
        Model = parse.GetValue(Model)!,
        Patch = parse.GetValue(Patch),
        Checkpoint = parse.GetValue(Checkpoint),
        RandomWeights = parse.GetValue(RandomWeights),
        Feature = FeatureKinds.Parse(parse.GetValue(Feature)!),
        K = parse.GetValue(K),
        Seed = parse.GetValue(Seed),
        MaxIterations = parse.GetValue(MaxIterations),
        MaxSide = parse.GetValue(MaxSide),
        BatchSize = parse.GetValue(BatchSize),
        Threads = parse.GetValue(Threads),
        Device = parse.GetValue(Device)!,
        Precision = SSeg.Models.InferencePrecisions.Parse(parse.GetValue(Precision)),
    };
}
