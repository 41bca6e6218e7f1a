namespace SSeg.Ingest.Images;

/// <summary>Resize modes as in img2dataset.</summary>
public enum ResizeMode
{
    /// <summary>Keep the image size.</summary>
    No,
    /// <summary>Scale so the shorter side is ImageSize, keeping the aspect ratio.</summary>
    KeepRatio,
    /// <summary>Scale the shorter side to ImageSize, then crop the centre square ImageSize×ImageSize.</summary>
    CenterCrop,
    /// <summary>Scale the longer side to ImageSize, then pad to a white ImageSize×ImageSize square.</summary>
    Border,
}

/// <summary>When the downloaded bytes may be stored as they are instead of decoded and re-encoded.</summary>
public enum ReencodePolicy
{
    /// <summary>Keep an 8-bit YCbCr JPEG unchanged when no resize, rotation or other change is needed.</summary>
    WhenNeeded,
    /// <summary>Always decode and re-encode (strict: also validates every JPEG fully).</summary>
    Always,
}

public sealed record ImageOptions
{
    public int ImageSize { get; init; } = 512;
    public ResizeMode Mode { get; init; } = ResizeMode.KeepRatio;

    /// <summary>Never upscale (GroupViT's recipe: shorter side 512 only if bigger).</summary>
    public bool ResizeOnlyIfBigger { get; init; } = true;

    /// <summary>Images whose shorter side is below this fail with too_small (0: no limit).</summary>
    public int MinImageSize { get; init; } = 0;

    /// <summary>Images with longer/shorter side ratio above this fail with aspect_ratio.</summary>
    public double MaxAspectRatio { get; init; } = double.PositiveInfinity;

    public int JpegQuality { get; init; } = 95;

    /// <summary>Decompression-bomb guard, read from the header before decoding.</summary>
    public long MaxPixels { get; init; } = 50_000_000;

    public ReencodePolicy Reencode { get; init; } = ReencodePolicy.WhenNeeded;
}
