using SSeg.Eval.Protocol;

namespace SSeg.Selftrain.Labeling;

/// <summary>Options of <c>selftrain label</c>: which teacher labels which target images into which dataset.</summary>
public sealed record LabelOptions
{
    /// <summary>Storage root (local path or az://container/prefix).</summary>
    public required string StorageRoot { get; init; }
    public string? AzureConnectionString { get; init; }
    /// <summary>Output dataset name (images + label masks), e.g. "voc-train-aug-selftrain".</summary>
    public required string Dataset { get; init; }

    public required string TargetLayout { get; init; }
    public required string TargetRoot { get; init; }
    public string? Split { get; init; }
    /// <summary>Class names for the "folder" layout (background first).</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>The trained S-Seg checkpoint (any kind the scorer registry knows).</summary>
    public required string TeacherCheckpoint { get; init; }
    public string? TeacherKind { get; init; }
    public IReadOnlyDictionary<string, string> ScorerSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>GroupViT τ; null = the layout's default (VOC 0.95, Context 0.35, COCO 0.95).</summary>
    public double? BackgroundThreshold { get; init; }
    public InferenceOptions Inference { get; init; } = new();
    /// <summary>Images per shard (shard i = images [i·N, (i+1)·N) of the sorted split).</summary>
    public int ShardSize { get; init; } = 1000;
    public string Device { get; init; } = "auto";
    /// <summary>dtype of the teacher's forward pass; scores, the background rule and the argmax stay float32.</summary>
    public SSeg.Models.InferencePrecision Precision { get; init; } = SSeg.Models.InferencePrecision.Fp32;
}
