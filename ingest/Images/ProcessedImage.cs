namespace SSeg.Ingest.Images;

/// <summary>The stored JPEG and its sizes, or why the image was refused.</summary>
public sealed record ProcessedImage(
    byte[]? Jpeg,
    int Width,
    int Height,
    int OriginalWidth,
    int OriginalHeight,
    string Sha256,
    bool Reencoded,
    string? FailureReason,
    string? Detail)
{
    public bool Ok => FailureReason is null;

    public static ProcessedImage Fail(string sha256, string reason, string detail, int ow = 0, int oh = 0) =>
        new(null, 0, 0, ow, oh, sha256, false, reason, detail);
}
