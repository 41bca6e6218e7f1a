namespace SSeg.Shards;

/// <summary>
/// <c>datasets/&lt;name&gt;/dataset.json</c>: the only source of truth for which shards exist. A shard file
/// that is not listed here is an orphan (a crashed or duplicate writer) and readers ignore it.
/// Updated with optimistic concurrency (compare-and-swap + retry), so concurrent writers never lose entries.
/// </summary>
public sealed record DatasetManifest
{
    /// <summary>The manifest schema version this library writes.</summary>
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    public string Name { get; init; } = "";
    /// <summary>Where the samples come from (cc3m, cc12m, redcaps, a folder, ...); free text.</summary>
    public string? Source { get; init; }
    /// <summary>Hash of the ingest configuration that produced the image shards.</summary>
    public string? ConfigHash { get; init; }
    public DateTimeOffset CreatedUtc { get; init; }
    public DateTimeOffset UpdatedUtc { get; init; }
    /// <summary>Committed shards of every kind, ordered by kind then index.</summary>
    public IReadOnlyList<ShardEntry> Shards { get; init; } = [];
    /// <summary>Mask generators that committed shards, by generator id.</summary>
    public IReadOnlyDictionary<string, MaskGeneratorInfo> Generators { get; init; } = new Dictionary<string, MaskGeneratorInfo>();

    /// <summary>The committed shard of <paramref name="kind"/> with <paramref name="index"/>, or null.</summary>
    public ShardEntry? Find(string kind, int index) => Shards.FirstOrDefault(s => s.Kind == kind && s.Index == index);

    /// <summary>Committed shards of one kind, by index.</summary>
    public IReadOnlyList<ShardEntry> ShardsOf(string kind) => Shards.Where(s => s.Kind == kind).OrderBy(s => s.Index).ToList();

    /// <summary>Committed image shards, by index.</summary>
    public IReadOnlyList<ShardEntry> ImageShards => ShardsOf(ShardNames.ImagesKind);
}

/// <summary>
/// One committed shard. <see cref="Path"/> (and the stats/failures paths) are relative to the dataset folder.
/// <see cref="Sha256"/> is the hex SHA-256 of the whole Parquet file, <see cref="Bytes"/> its size.
/// </summary>
public sealed record ShardEntry
{
    public required string Kind { get; init; }
    public required int Index { get; init; }
    public required string Path { get; init; }
    public required long Rows { get; init; }
    public required long Bytes { get; init; }
    public required string Sha256 { get; init; }
    public int RowGroups { get; init; }
    /// <summary>Samples of this shard's input slice that failed (image shards; 0 for masks).</summary>
    public long Failures { get; init; }
    /// <summary>Failures by reason (image shards), so totals need no stats file reads.</summary>
    public IReadOnlyDictionary<string, long>? FailuresByReason { get; init; }
    public string? StatsPath { get; init; }
    public string? FailuresPath { get; init; }
    public DateTimeOffset CommittedUtc { get; init; }
}

/// <summary>
/// Describes a pseudo-mask generator; stored in the mask shards' Parquet key-value metadata
/// (<c>sseg.generator</c> as JSON, plus <c>sseg.generator.id</c>, ...) and in the manifest.
/// </summary>
public sealed record MaskGeneratorInfo(string Id, string Model, string CheckpointHash, string Feature, int K, int Seed)
{
    /// <summary>Any further settings worth recording (image size, iterations, ...).</summary>
    public IReadOnlyDictionary<string, string>? Extra { get; init; }
}

/// <summary>
/// <c>part-NNNNN.stats.json</c>: what a writer saw while producing one shard. The writer fills rows, failures,
/// failure totals, bytes and times; the stage adds input rows, timings and counters of its own.
/// </summary>
public sealed record ShardStats
{
    public string Kind { get; init; } = ShardNames.ImagesKind;
    public int Shard { get; init; }
    public long Rows { get; init; }
    public long Failures { get; init; }
    public IReadOnlyDictionary<string, long> FailuresByReason { get; init; } = new Dictionary<string, long>();
    public long? InputRows { get; init; }
    public long Bytes { get; init; }
    public string? ConfigHash { get; init; }
    public DateTimeOffset StartedUtc { get; init; }
    public DateTimeOffset FinishedUtc { get; init; }
    public IReadOnlyDictionary<string, double> TimingsSeconds { get; init; } = new Dictionary<string, double>();
    public IReadOnlyDictionary<string, long> Counters { get; init; } = new Dictionary<string, long>();
}
