using System.Text.Json.Serialization;

namespace SSeg.Train.Training;

/// <summary>One line of metrics.jsonl.</summary>
public sealed record StepMetrics
{
    [JsonPropertyName("step")] public long Step { get; init; }
    [JsonPropertyName("epoch")] public int Epoch { get; init; }
    [JsonPropertyName("lr")] public double Lr { get; init; }
    [JsonPropertyName("loss")] public double Loss { get; init; }
    [JsonPropertyName("mask")] public double Mask { get; init; }
    [JsonPropertyName("focal")] public double Focal { get; init; }
    [JsonPropertyName("dice")] public double Dice { get; init; }
    [JsonPropertyName("itc")] public double Itc { get; init; }
    [JsonPropertyName("multilabel")] public double MultiLabel { get; init; }
    [JsonPropertyName("scale")] public double Scale { get; init; }
    [JsonPropertyName("grad_norm")] public double GradNorm { get; init; }
    [JsonPropertyName("masks_per_image")] public double MasksPerImage { get; init; }
    [JsonPropertyName("img_per_s")] public double ImagesPerSecond { get; init; }
    [JsonPropertyName("time_utc")] public DateTimeOffset TimeUtc { get; init; }
}
