using Parquet;

namespace SSeg.Shards;

/// <summary>Tuning for shard writers. Memory use is about two row groups, whatever the shard size.</summary>
public sealed record ShardWriterOptions
{
    /// <summary>A row group is written once its buffered rows reach this many bytes (default 64 MiB). Writers and
    /// readers hold about 2-4 row groups in memory, so this bounds memory whatever the shard size.</summary>
    public long RowGroupTargetBytes { get; init; } = 64L << 20;

    /// <summary>... or this many rows, whichever comes first.</summary>
    public int RowGroupMaxRows { get; init; } = 100_000;

    /// <summary>Compression of text and number columns (image/mask bytes are never compressed).</summary>
    public CompressionMethod TextCompression { get; init; } = CompressionMethod.Snappy;

    /// <summary>The defaults.</summary>
    public static ShardWriterOptions Default { get; } = new();
}

/// <summary>What a commit did: <see cref="AlreadyCommitted"/> is true when the manifest already listed the
/// shard (the commit was a no-op and <see cref="Entry"/> is the existing entry).</summary>
public sealed record ShardCommitResult(ShardEntry Entry, bool AlreadyCommitted);
