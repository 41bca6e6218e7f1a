namespace SSeg.Selftrain.Data;

/// <summary>mmsegmentation's standard training pipeline settings (docs/method.md §8.3); VOC/COCO defaults, Context uses 520/480.</summary>
public sealed record AugmentOptions
{
    /// <summary>The (long, short) scale that random ratios multiply: (2048, 512).</summary>
    public int ScaleLong { get; init; } = 2048;
    public int ScaleShort { get; init; } = 512;
    public double RatioMin { get; init; } = 0.5;
    public double RatioMax { get; init; } = 2.0;
    public int CropSize { get; init; } = 512;
    public double CatMaxRatio { get; init; } = 0.75;
    public double FlipProbability { get; init; } = 0.5;
    public bool PhotometricDistortion { get; init; } = true;
    public int IgnoreIndex { get; init; } = 255;

    public static AugmentOptions PascalContext { get; } = new() { ScaleLong = 520, ScaleShort = 520, CropSize = 480 };
}
