namespace SSeg.Train.Data;

/// <summary>Loader settings. Deterministic: the sample order and every augmentation depend only on
/// (<see cref="Seed"/>, epoch, position), so a run resumed at a stored position sees the same data.</summary>
public sealed record TrainDataOptions
{
    public required string MaskGenerator { get; init; }
    public int CropSize { get; init; } = 224;
    public int MaskSize { get; init; } = 56;
    /// <summary>Samples held for shuffling across shard boundaries (GroupViT: 10,000).</summary>
    public int ShuffleBuffer { get; init; } = 10_000;
    public int DecodeWorkers { get; init; } = Math.Max(1, Environment.ProcessorCount);
    public int Seed { get; init; } = 0;
    public RandomResizedCrop Crop { get; init; } = new();
    /// <summary>Nouns/verbs turned into prompts (0 = caption only).</summary>
    public int PromptWords { get; init; } = 3;
    /// <summary>"full" = the 80 CLIP templates, "simple" = "a photo of a {}.".</summary>
    public string PromptTemplates { get; init; } = "full";
    /// <summary>[A] Drop pseudo-masks below this fraction of the crop (0 keeps every segment).</summary>
    public double MinMaskArea { get; init; } = 0.0;
    /// <summary>Image shard indices left out of the stream (shards that failed the trainer's pre-flight check).</summary>
    public IReadOnlySet<int> ExcludedShards { get; init; } = new HashSet<int>();
    /// <summary>An image or mask shard that cannot be read mid-run (it changed after the pre-flight check, or a row
    /// group inside it is damaged) is left out of the epoch and recorded instead of ending the run (--skip-bad-shards).</summary>
    public bool SkipUnreadableShards { get; init; }
}
