namespace SSeg.Ingest.Manifests;

/// <summary>
/// One input row. <see cref="Index"/> counts every row of the combined sources in order (malformed rows
/// included), so it is stable across re-runs and fixes which shard a row belongs to.
/// A malformed row has <see cref="Malformed"/> set and may lack a URL or caption.
/// </summary>
public sealed record ManifestEntry(
    long Index,
    string Source,
    string Location,
    string? Url,
    string? Caption,
    string? ExtraJson,
    string? Malformed)
{
    public bool IsMalformed => Malformed is not null;
}

/// <summary>A row as one reader yields it, before the combined index is assigned.</summary>
internal readonly record struct RawEntry(string Location, string? Url, string? Caption, string? ExtraJson, string? Malformed);
