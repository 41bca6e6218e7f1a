using System.Buffers.Binary;

namespace SSeg.Shards.Commits;

/// <summary>
/// The heads file of a checkpoint segment: the <see cref="ShardHead"/> of each of its entries, by index, in 32 bytes
/// each. A new process builds its index from these (~32 KB a block) instead of the segment's JSON (~480 KB a
/// block), and reads a segment only when it needs the block's whole entries.
/// <para>
/// Layout, little-endian: the 8 ASCII bytes <c>SSEGHD01</c>, the entry count (int32), then per entry index (int32),
/// version (int32), rows, bytes and failures (int64 each). It is written with its segment and named after it
/// (<see cref="CommitKeys.HeadsPathOf"/>), so an unchanged block keeps both names; a reader uses it only when it
/// agrees with the segment's reference (count, versions digest, totals), and reads the segment otherwise.
/// </para>
/// </summary>
internal static class SegmentHeads
{
    private const int HeaderSize = 12;
    private const int HeadSize = 32;
    private static ReadOnlySpan<byte> Magic => "SSEGHD01"u8;

    public static byte[] Encode(IReadOnlyList<ShardEntry> entries)
    {
        var bytes = new byte[HeaderSize + entries.Count * HeadSize];
        Magic.CopyTo(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var at = bytes.AsSpan(HeaderSize + i * HeadSize, HeadSize);
            var e = entries[i];
            BinaryPrimitives.WriteInt32LittleEndian(at, e.Index);
            BinaryPrimitives.WriteInt32LittleEndian(at[4..], e.Version);
            BinaryPrimitives.WriteInt64LittleEndian(at[8..], e.Rows);
            BinaryPrimitives.WriteInt64LittleEndian(at[16..], e.Bytes);
            BinaryPrimitives.WriteInt64LittleEndian(at[24..], e.Failures);
        }
        return bytes;
    }

    /// <exception cref="InvalidDataException">Not a heads file, or truncated; <paramref name="what"/> names it.</exception>
    public static ShardHead[] Decode(ReadOnlySpan<byte> bytes, string what)
    {
        if (bytes.Length < HeaderSize || !bytes[..8].SequenceEqual(Magic))
            throw new InvalidDataException($"{what} is not a segment heads file (no SSEGHD01 header).");
        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
        if (count < 0 || bytes.Length != HeaderSize + (long)count * HeadSize)
            throw new InvalidDataException($"{what} holds {bytes.Length} B, its header says {count} heads ({HeaderSize + (long)count * HeadSize} B).");
        var heads = new ShardHead[count];
        for (var i = 0; i < count; i++)
        {
            var at = bytes.Slice(HeaderSize + i * HeadSize, HeadSize);
            heads[i] = new ShardHead(BinaryPrimitives.ReadInt32LittleEndian(at), BinaryPrimitives.ReadInt32LittleEndian(at[4..]),
                BinaryPrimitives.ReadInt64LittleEndian(at[8..]), BinaryPrimitives.ReadInt64LittleEndian(at[16..]),
                BinaryPrimitives.ReadInt64LittleEndian(at[24..]));
        }
        return heads;
    }

    /// <summary>
    /// Why <paramref name="heads"/> cannot stand for the segment <paramref name="reference"/> names, or null when they
    /// can: in index order within the block, as many, the same (index, version) digest and the same totals.
    /// </summary>
    public static string? Disagreement(ShardHead[] heads, CheckpointSegmentRef reference)
    {
        if (heads.Length != reference.Shards) return $"{heads.Length} heads, the checkpoint index says {reference.Shards} shards";
        long rows = 0, bytes = 0, failures = 0;
        for (var i = 0; i < heads.Length; i++)
        {
            if (CheckpointSegment.BlockOf(heads[i].Index) != reference.Block || (i > 0 && heads[i].Index <= heads[i - 1].Index))
                return $"head {i} (shard {heads[i].Index}) is out of order or outside the block";
            rows += heads[i].Rows;
            bytes += heads[i].Bytes;
            failures += heads[i].Failures;
        }
        if (CheckpointSegmentRef.DigestOf(heads.Select(h => (h.Index, h.Version))) != reference.VersionsDigest)
            return "its shard versions differ from the checkpoint index's";
        return (rows, bytes, failures) != (reference.Rows, reference.Bytes, reference.Failures)
            ? "its totals differ from the checkpoint index's" : null;
    }
}
