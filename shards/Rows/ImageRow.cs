namespace SSeg.Shards;

/// <summary>
/// One ingested sample of an image shard (one Parquet row). <see cref="Key"/> is
/// <c>&lt;source&gt;/&lt;shard:5&gt;/&lt;row:5&gt;</c> (see <see cref="SampleKey"/>), stable across re-runs.
/// <see cref="ImageBytes"/> is the re-encoded JPEG; <see cref="Width"/>/<see cref="Height"/> describe it,
/// the Original* fields the downloaded image. <see cref="Sha256"/> is of the downloaded bytes (hex).
/// <see cref="Extra"/> holds source-specific fields as a JSON object string (RedCaps subreddit, author, ...).
/// When read with a column projection, columns that were not read are empty ("" / empty array / 0 / null).
/// </summary>
public sealed record ImageRow(
    string Key,
    byte[] ImageBytes,
    string Caption,
    IReadOnlyList<string> Nouns,
    IReadOnlyList<string> Verbs,
    string Url,
    string Source,
    int Width,
    int Height,
    int OriginalWidth,
    int OriginalHeight,
    string Sha256,
    string? Extra = null)
{
    /// <summary>The <c>image.path</c> field of the HF-style image struct (usually null).</summary>
    public string? ImagePath { get; init; }
}

/// <summary>
/// One pseudo-mask row of a mask shard: <see cref="MaskPng"/> is a PNG of the uint8 cluster-id map at
/// patch-grid resolution (<see cref="Height"/> x <see cref="Width"/>), <see cref="Segments"/> the number of segments.
/// <see cref="Key"/> matches the <see cref="ImageRow.Key"/> it belongs to.
/// </summary>
public sealed record MaskRow(string Key, byte[] MaskPng, int Height, int Width, int Segments);

/// <summary>
/// A sample that did not make it into a shard: <see cref="Reason"/> is a short stable category
/// (e.g. <c>http_404</c>, <c>timeout</c>, <c>decode_error</c>, <c>too_small</c>) used for totals;
/// <see cref="Detail"/> is free text. Written to <c>part-NNNNN.failures.parquet</c>.
/// </summary>
public sealed record FailureRow(string? Url, string? Key, string Reason, string? Detail);
