using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SSeg.Shards.Commits;

/// <summary>
/// The entries of one block of a checkpoint: the newest entry of every shard of one kind whose index falls in
/// [<see cref="Block"/> × <see cref="BlockSize"/>, next block). Stored once under a name made from its content
/// (<see cref="CommitKeys.SegmentPath"/>), so a checkpoint writes only the blocks that changed since the one it
/// started from and refers to the others by name: its cost follows what changed, not the dataset's size.
/// </summary>
public sealed record CheckpointSegment
{
    /// <summary>Shards per block: one segment holds at most this many entries (a few hundred KB of JSON).</summary>
    public const int BlockSize = 1000;

    public required string Kind { get; init; }
    public required int Block { get; init; }
    /// <summary>Entries by shard index.</summary>
    public IReadOnlyList<ShardEntry> Shards { get; init; } = [];

    /// <summary>The block of a shard index.</summary>
    public static int BlockOf(int index) => index / BlockSize;
}

/// <summary>
/// A checkpoint's reference to one segment, with the block's totals, so dataset totals need only the segments of
/// blocks whose commit objects changed since (<see cref="VersionsDigest"/> tells which).
/// </summary>
public sealed record CheckpointSegmentRef
{
    public required string Kind { get; init; }
    public required int Block { get; init; }
    /// <summary>The segment object, relative to the dataset folder.</summary>
    public required string Path { get; init; }
    public int Shards { get; init; }
    public long Rows { get; init; }
    public long Bytes { get; init; }
    public long Failures { get; init; }
    public IReadOnlyDictionary<string, long>? FailuresByReason { get; init; }
    /// <summary>The latest <see cref="ShardEntry.CommittedUtc"/> in the block.</summary>
    public DateTimeOffset LatestCommitUtc { get; init; }
    /// <summary>
    /// <see cref="DigestOf"/> the block's (index, version) pairs: a reader whose listing of the block's commit objects
    /// gives the same digest knows the segment is current without reading it.
    /// </summary>
    public required string VersionsDigest { get; init; }
    /// <summary>
    /// The segment's heads file (<see cref="SegmentHeads"/>), relative to the dataset folder; null in checkpoints
    /// written before heads files existed, whose readers take the heads from the segment itself.
    /// </summary>
    public string? HeadsPath { get; init; }

    /// <summary>The reference to <paramref name="entries"/> (one block of one kind, by index) stored at <paramref name="path"/>.</summary>
    public static CheckpointSegmentRef Of(string kind, int block, string path, IReadOnlyList<ShardEntry> entries)
    {
        long rows = 0, bytes = 0, failures = 0;
        var latest = DateTimeOffset.MinValue;
        SortedDictionary<string, long>? reasons = null;
        foreach (var e in entries)
        {
            rows += e.Rows;
            bytes += e.Bytes;
            failures += e.Failures;
            if (e.CommittedUtc > latest) latest = e.CommittedUtc;
            foreach (var (reason, count) in e.FailuresByReason ?? new Dictionary<string, long>())
            {
                reasons ??= new SortedDictionary<string, long>(StringComparer.Ordinal);
                reasons[reason] = reasons.GetValueOrDefault(reason) + count;
            }
        }
        return new CheckpointSegmentRef
        {
            Kind = kind, Block = block, Path = path, Shards = entries.Count, Rows = rows, Bytes = bytes, Failures = failures,
            FailuresByReason = reasons, LatestCommitUtc = latest, VersionsDigest = DigestOf(entries.Select(e => (e.Index, e.Version))),
        };
    }

    /// <summary>A short digest of (index, version) pairs given in index order.</summary>
    public static string DigestOf(IEnumerable<(int Index, int Version)> pairs)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> pair = stackalloc byte[8];
        foreach (var (index, version) in pairs)
        {
            BitConverter.TryWriteBytes(pair, index);
            BitConverter.TryWriteBytes(pair[4..], version);
            hash.AppendData(pair);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    /// <summary>The content-derived name part of a segment: the first 16 hex digits of its JSON's SHA-256.</summary>
    public static string ContentId(ReadOnlySpan<byte> json) => Convert.ToHexStringLower(SHA256.HashData(json))[..16];

    internal static string BlockName(int block) => "b" + block.ToString("D6", CultureInfo.InvariantCulture);

    internal static string Describe(string kind, int block) =>
        string.Create(CultureInfo.InvariantCulture, $"{kind} shards {block * CheckpointSegment.BlockSize}-{(block + 1) * CheckpointSegment.BlockSize - 1}");
}
