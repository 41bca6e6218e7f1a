using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using SSeg.Shards.Storage;

namespace SSeg.Shards.Parquet;

/// <summary>
/// Pinned, page-aligned write-behind chunks, shared by all writers. Aligned chunks at aligned file offsets can be
/// written with O_DIRECT (<see cref="DirectWriteFileStream"/>). At most <see cref="MaxFree"/> free chunks are kept.
/// </summary>
internal static class AlignedChunks
{
    public const int Size = 4 << 20;
    private const int MaxFree = 10;   // one writer's write-behind queue (8) + its current chunk + one spare
    private static readonly ConcurrentBag<ArraySegment<byte>> Free = [];

    public static ArraySegment<byte> Rent()
    {
        if (Free.TryTake(out var chunk)) return chunk;
        const int alignment = DirectWriteFileStream.Alignment;
        var array = GC.AllocateUninitializedArray<byte>(Size + alignment, pinned: true);
        var misalignment = (int)(Marshal.UnsafeAddrOfPinnedArrayElement(array, 0) % alignment);
        return new ArraySegment<byte>(array, (alignment - misalignment) % alignment, Size);
    }

    public static void Return(ArraySegment<byte> chunk)
    {
        if (chunk.Count == Size && Free.Count < MaxFree) Free.Add(chunk);
    }
}
