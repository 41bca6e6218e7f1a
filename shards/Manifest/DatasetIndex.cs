using SSeg.Shards.Commits;

namespace SSeg.Shards;

/// <summary>
/// One committed shard at a glance: what barriers, counts and samplers need (32 bytes). The whole entry (paths,
/// SHA-256, fingerprint, failures by reason) is <see cref="Dataset.FindCommittedAsync(string,int,System.Threading.CancellationToken)"/>
/// for one shard and <see cref="Dataset.StreamShardsAsync"/> for many.
/// </summary>
public readonly record struct ShardHead(int Index, int Version, long Rows, long Bytes, long Failures)
{
    public static ShardHead Of(ShardEntry entry) => new(entry.Index, entry.Version, entry.Rows, entry.Bytes, entry.Failures);
}

/// <summary>
/// The dataset's metadata and a head (<see cref="ShardHead"/>) for every committed shard: what a process keeps of a
/// dataset between reads. The heads of a large dataset are mostly in a local spill file, not in memory
/// (<see cref="HeadsTable"/>), so what this holds does not grow with the shard count. Immutable: a later read gives a
/// new index.
/// </summary>
public sealed class DatasetIndex
{
    private readonly IReadOnlyDictionary<string, HeadsTable> _byKind;

    internal DatasetIndex(DatasetManifest metadata, IReadOnlyDictionary<string, HeadsTable> byKind,
        IReadOnlyDictionary<string, MaskGeneratorInfo> generators, DateTimeOffset updatedUtc)
    {
        Metadata = metadata.Shards.Count == 0 ? metadata : metadata with { Shards = [] };
        _byKind = byKind;
        Generators = generators;
        UpdatedUtc = updatedUtc;
    }

    /// <summary>dataset.json's fields (name, source, config hash, incarnation); its shard list is left empty.</summary>
    public DatasetManifest Metadata { get; }
    public string Name => Metadata.Name;
    public string? ConfigHash => Metadata.ConfigHash;
    /// <summary>Mask generators that committed shards, by generator id.</summary>
    public IReadOnlyDictionary<string, MaskGeneratorInfo> Generators { get; }
    /// <summary>The newest of dataset.json's update time and every commit time.</summary>
    public DateTimeOffset UpdatedUtc { get; }
    /// <summary>Kinds with at least one committed shard, in ordinal order.</summary>
    public IEnumerable<string> Kinds => _byKind.Where(k => k.Value.Count > 0).Select(k => k.Key).Order(StringComparer.Ordinal);

    /// <summary>Committed shards of one kind, by index.</summary>
    public IReadOnlyList<ShardHead> ShardsOf(string kind) => _byKind.GetValueOrDefault(kind) ?? HeadsTable.Empty;

    /// <summary>Committed image shards, by index.</summary>
    public IReadOnlyList<ShardHead> ImageShards => ShardsOf(ShardNames.ImagesKind);

    /// <summary>The committed shard of <paramref name="kind"/> with <paramref name="index"/>, or null (a binary search).</summary>
    public ShardHead? Find(string kind, int index) => _byKind.GetValueOrDefault(kind)?.Find(index);
}
