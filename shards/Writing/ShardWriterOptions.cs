using Parquet;

namespace SSeg.Shards;

/// <summary>Tuning for shard writers. Memory use is about two row groups, whatever the shard size.</summary>
public sealed record ShardWriterOptions
{
    /// <summary>
    /// A row group is written once its buffered rows reach this many bytes (default 16 MiB, ~100-200 images,
    /// close to the 100-row groups HF datasets writes for images). Writers and readers hold a few row groups
    /// plus Parquet.Net's pooled buffers of that size, so this bounds memory whatever the shard size: measured
    /// ~0.4 GB peak RSS at 16 MiB, ~1 GB at 32 MiB, ~1.4 GB at 64 MiB.
    /// </summary>
    public long RowGroupTargetBytes { get; init; } = 16L << 20;

    /// <summary>... or this many rows, whichever comes first.</summary>
    public int RowGroupMaxRows { get; init; } = 100_000;

    /// <summary>Compression of text and number columns (image/mask bytes are never compressed).</summary>
    public CompressionMethod TextCompression { get; init; } = CompressionMethod.Snappy;

    /// <summary>The defaults.</summary>
    public static ShardWriterOptions Default { get; } = new();
}

/// <summary>What a commit did: <see cref="AlreadyCommitted"/> is true when the manifest already listed the
/// shard (the commit was a no-op and <see cref="Entry"/> is the existing entry). <see cref="Replaced"/> is true
/// when a replacement writer swapped in its shard.</summary>
public sealed record ShardCommitResult(ShardEntry Entry, bool AlreadyCommitted)
{
    public bool Replaced { get; init; }
}
