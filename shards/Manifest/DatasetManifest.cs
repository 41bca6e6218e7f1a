namespace SSeg.Shards;

/// <summary>
/// A dataset as readers see it: the metadata of <c>datasets/&lt;name&gt;/dataset.json</c> plus every committed
/// shard, assembled from the shard commit objects (see <see cref="Commits.CommitLog"/>). A shard file with no commit
/// object is an orphan (a crashed or duplicate writer) and readers ignore it.
/// </summary>
/// <remarks>
/// Schema version 2 (this library) keeps only metadata in dataset.json; the shards live in commit objects.
/// Schema version 1 files (older datasets) also list shards in <see cref="Shards"/>: they are read as they are,
/// as version 0 of each listed shard, and new commits into such a dataset add commit objects beside them.
/// </remarks>
public sealed record DatasetManifest
{
    /// <summary>The dataset.json schema version this library writes.</summary>
    public const int CurrentSchemaVersion = 2;
    /// <summary>The schema version whose dataset.json lists the shards itself.</summary>
    public const int LegacySchemaVersion = 1;
    private readonly IReadOnlyList<ShardEntry> _shards = [];
    // Built on first lookup: stages call Find once per shard, which must not cost a scan of every shard.
    private Dictionary<(string Kind, int Index), ShardEntry>? _byKey;
    private Dictionary<string, IReadOnlyList<ShardEntry>>? _byKind;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    public string Name { get; init; } = "";
    /// <summary>Where the samples come from (cc3m, cc12m, redcaps, a folder, ...); free text.</summary>
    public string? Source { get; init; }
    /// <summary>Hash of the ingest configuration that produced the image shards.</summary>
    public string? ConfigHash { get; init; }
    public DateTimeOffset CreatedUtc { get; init; }
    public DateTimeOffset UpdatedUtc { get; init; }
    /// <summary>
    /// Random id given at creation; names the folder of this dataset's commit log, so that leftovers of a deleted
    /// dataset of the same name are never read as its shards. Schema-1 files have none (<see cref="CommitIncarnation"/>).
    /// </summary>
    public string? Incarnation { get; init; }

    /// <summary>The commit log folder name: <see cref="Incarnation"/>, or <c>0</c> for datasets made before it existed.</summary>
    public string CommitIncarnation => Incarnation ?? "0";
    /// <summary>Committed shards of every kind, ordered by kind then index.</summary>
    public IReadOnlyList<ShardEntry> Shards
    {
        get => _shards;
        init { _shards = value; _byKey = null; _byKind = null; }
    }
    /// <summary>Mask generators that committed shards, by generator id.</summary>
    public IReadOnlyDictionary<string, MaskGeneratorInfo> Generators { get; init; } = new Dictionary<string, MaskGeneratorInfo>();

    /// <summary>The committed shard of <paramref name="kind"/> with <paramref name="index"/>, or null.</summary>
    public ShardEntry? Find(string kind, int index)
    {
        var byKey = _byKey ??= BuildKeyIndex(_shards);
        return byKey.GetValueOrDefault((kind, index));
    }

    /// <summary>Committed shards of one kind, by index.</summary>
    public IReadOnlyList<ShardEntry> ShardsOf(string kind)
    {
        var byKind = _byKind ??= _shards.GroupBy(s => s.Kind, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<ShardEntry>)g.OrderBy(s => s.Index).ToList(), StringComparer.Ordinal);
        return byKind.GetValueOrDefault(kind) ?? [];
    }

    private static Dictionary<(string Kind, int Index), ShardEntry> BuildKeyIndex(IReadOnlyList<ShardEntry> shards)
    {
        var index = new Dictionary<(string Kind, int Index), ShardEntry>(shards.Count);
        foreach (var s in shards) index.TryAdd((s.Kind, s.Index), s);
        return index;
    }

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
    /// <summary>
    /// Commit version of this shard: 1 for its first commit, one more for each replacement; 0 for a shard listed
    /// in a schema-1 dataset.json. Of several commit objects of one shard the highest version is the shard.
    /// </summary>
    public int Version { get; init; }
    /// <summary>
    /// What the shard was made from (a hash of its input slice and the options that shape its rows), so a rebuild
    /// can skip a shard whose input is unchanged; null when the writer did not say.
    /// </summary>
    public string? InputFingerprint { get; init; }
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
