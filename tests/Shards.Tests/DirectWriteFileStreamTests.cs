using SSeg.Shards.Parquet;
using SSeg.Shards.Storage;
using SSeg.Tests.Common;

namespace SSeg.Shards.Tests;

public sealed class DirectWriteFileStreamTests
{
    [Fact]
    public async Task Aligned_chunks_then_unaligned_writes_give_the_exact_bytes()
    {
        var dir = RepoPaths.NewTempDir();
        var path = Path.Combine(dir, "staged.bin");
        var data = new byte[3 * AlignedChunks.Size + 12_345];
        new Random(11).NextBytes(data);
        var chunk = AlignedChunks.Rent();
        try
        {
            await using (var stream = new DirectWriteFileStream(path))
            {
                // Two aligned chunks (async and sync), then unaligned pieces, then an aligned-looking chunk after the switch.
                data.AsSpan(0, AlignedChunks.Size).CopyTo(chunk);
                await stream.WriteAsync(chunk.AsMemory());
                await stream.WriteAsync(ReadOnlyMemory<byte>.Empty);   // empty writes must not end direct mode
                stream.Write([], 0, 0);
                data.AsSpan(AlignedChunks.Size, AlignedChunks.Size).CopyTo(chunk);
                stream.Write(chunk.AsSpan());
                var directAfterAligned = stream.DirectBytes;
                await stream.WriteAsync(data.AsMemory(2 * AlignedChunks.Size, 1000));
                stream.Write(data.AsSpan(2 * AlignedChunks.Size + 1000, AlignedChunks.Size - 1000));
                data.AsSpan(3 * AlignedChunks.Size, 12_345).CopyTo(chunk);
                await stream.WriteAsync(chunk.AsMemory(0, 12_345));
                Assert.Equal(data.Length, stream.Position);
                stream.FlushToDisk();

                // Direct I/O is used where the file system has it (ext4, xfs, ...); never after an unaligned write.
                Assert.Equal(directAfterAligned, stream.DirectBytes);
                if (DirectIoSupport.At(dir)) Assert.Equal(2L * AlignedChunks.Size, stream.DirectBytes);
            }
            Assert.Equal(data, await File.ReadAllBytesAsync(path));
        }
        finally
        {
            AlignedChunks.Return(chunk);
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Staged_shard_files_are_byte_identical_to_their_recorded_checksum()
    {
        // The write-behind chunks reach the local backend aligned; the staged file must still hash as recorded.
        var root = RepoPaths.NewTempDir();
        try
        {
            var ds = await DatasetStore.Open(root).CreateOrOpenAsync("d", "test", "cfg");
            await using (var writer = await ds.CreateImageShardWriterAsync(0, new ShardWriterOptions { RowGroupTargetBytes = 1 << 20 }))
            {
                var image = new byte[300_001];
                new Random(3).NextBytes(image);
                for (var i = 0; i < 40; i++) await writer.AddAsync(TestRows.Image(0, i, image));
                await writer.CommitAsync();
            }
            var entry = (await ds.GetManifestAsync()).ImageShards.Single();
            var bytes = await File.ReadAllBytesAsync(Path.Combine(root, "datasets", "d", entry.Path));
            Assert.True(bytes.Length > 2 * AlignedChunks.Size);
            Assert.Equal(entry.Bytes, bytes.Length);
            Assert.Equal(entry.Sha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
            Assert.True((await ds.VerifyAsync()).Ok);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}

/// <summary>Whether the tests' temp folder is on a file system with O_DIRECT (ext4, xfs, btrfs; not tmpfs).</summary>
internal static class DirectIoSupport
{
    /// <summary>The file system of <paramref name="dir"/> from /proc/mounts (longest mount-point prefix).</summary>
    public static bool At(string dir)
    {
        if (!OperatingSystem.IsLinux()) return false;
        var fs = File.ReadAllLines("/proc/mounts").Select(l => l.Split(' ')).Where(f => f.Length > 2 && dir.StartsWith(f[1], StringComparison.Ordinal))
            .OrderByDescending(f => f[1].Length).Select(f => f[2]).FirstOrDefault();
        return fs is "ext4" or "xfs" or "btrfs";
    }
}
