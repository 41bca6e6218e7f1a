namespace SSeg.Eval.Protocol;

/// <summary>How windows are taken from the resized image.</summary>
public enum InferenceMode
{
    /// <summary>Sliding crop×crop windows with the given stride (mmseg <c>slide</c>; the paper protocol).</summary>
    Slide,
    /// <summary>The whole resized image in one forward pass (mmseg <c>whole</c>).</summary>
    Whole,
}

/// <summary>The test-time resize and window settings (docs/method.md §7.3). Defaults are the GroupViT/S-Seg protocol.</summary>
public sealed record InferenceOptions
{
    /// <summary>Target short side of the keep-ratio resize.</summary>
    public int ShortSide { get; init; } = 448;

    /// <summary>Cap on the long side of the keep-ratio resize (mmcv scale (2048, 448)).</summary>
    public int LongSideCap { get; init; } = 2048;

    public InferenceMode Mode { get; init; } = InferenceMode.Slide;

    public int CropSize { get; init; } = 448;

    public int Stride { get; init; } = 224;

    /// <summary>Most windows sent to the scorer in one call.</summary>
    public int WindowBatch { get; init; } = 8;

    /// <summary>Channels resized back to the original size at a time (bounds memory for large vocabularies).</summary>
    public int ResizeChannelChunk { get; init; } = 64;

    public void Validate()
    {
        if (ShortSide <= 0 || LongSideCap < ShortSide) throw new ArgumentException($"bad resize scale: short {ShortSide}, long cap {LongSideCap}");
        if (CropSize <= 0 || Stride <= 0) throw new ArgumentException($"bad window: crop {CropSize}, stride {Stride}");
        if (WindowBatch <= 0 || ResizeChannelChunk <= 0) throw new ArgumentException("window batch and resize chunk must be positive");
    }
}
