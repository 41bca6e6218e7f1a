namespace SSeg.Ingest.Manifests;

public sealed record ManifestReadOptions
{
    /// <summary>Lines longer than this (bytes) are malformed rows; the reader skips to the next line.</summary>
    public int MaxLineBytes { get; init; } = 64 * 1024;

    /// <summary>A single RedCaps annotation object larger than this is a malformed row.</summary>
    public int MaxJsonObjectBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>URLs longer than this are malformed rows.</summary>
    public int MaxUrlLength { get; init; } = 4096;
}
