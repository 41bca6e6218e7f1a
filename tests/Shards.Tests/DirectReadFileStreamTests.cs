using SSeg.Shards.Parquet;
using SSeg.Shards.Storage;
using SSeg.Tests.Common;

namespace SSeg.Shards.Tests;

public sealed class DirectReadFileStreamTests : IDisposable
{
    private readonly string _dir = RepoPaths.NewTempDir();
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string NewFile(int size, int seed)
    {
        var data = new byte[size];
        new Random(seed).NextBytes(data);
        var path = Path.Combine(_dir, $"{seed}.bin");
        File.WriteAllBytes(path, data);
        return path;
    }

    [Fact]
    public async Task Sequential_reads_of_odd_sizes_return_the_file()
    {
        var path = NewFile(3 * AlignedChunks.Size + 12_345, 1);
        await using var stream = DirectReadFileStream.Open(path);
        Assert.Equal(DirectIoSupport.At(_dir), stream is DirectReadFileStream);
        using var copy = new MemoryStream();
        var buffer = new byte[1_000_003];
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0) copy.Write(buffer, 0, n);
        Assert.Equal(await File.ReadAllBytesAsync(path), copy.ToArray());
        Assert.Equal(0, stream.Read(buffer, 0, 10));
    }

    [Fact]
    public async Task Random_seeks_read_the_same_bytes_as_a_file_stream()
    {
        var path = NewFile(2 * AlignedChunks.Size + 5_000, 2);
        var expected = await File.ReadAllBytesAsync(path);
        await using var stream = DirectReadFileStream.Open(path);
        Assert.Equal(expected.Length, stream.Length);
        var random = new Random(3);
        for (var i = 0; i < 200; i++)
        {
            var at = random.Next(expected.Length + 10);
            var count = random.Next(1, i % 10 == 0 ? 6_000_000 : 9_000);
            stream.Seek(at - expected.Length, SeekOrigin.End);
            var got = new byte[count];
            var n = i % 2 == 0 ? await stream.ReadAsync(got) : stream.Read(got, 0, count);
            Assert.Equal(Math.Max(0, Math.Min(count, expected.Length - at)), n);
            Assert.Equal(expected.AsSpan(Math.Min(at, expected.Length), n).ToArray(), got[..n]);
            Assert.Equal(at + n, stream.Position);
        }
    }

    [Fact]
    public async Task Reading_one_small_column_reads_little_of_the_shard()
    {
        var store = DatasetStore.Open(_dir);
        var dataset = store.Dataset("projection");
        var committed = await TestRows.WriteImageShardAsync(dataset, 0, rows: 240, options: new ShardWriterOptions { RowGroupTargetBytes = 2 << 20 });
        var path = ((LocalStorage)store.Storage).PathOf(dataset.KeyOf(committed.Entry.Path));

        await using var stream = DirectReadFileStream.Open(path);
        if (stream is not DirectReadFileStream direct)
        {
            Assert.False(DirectIoSupport.At(_dir));   // tmpfs and the like: the page cache does this job
            return;
        }
        await using var reader = await global::Parquet.ParquetReader.CreateAsync(stream, leaveStreamOpen: true);
        var key = reader.Schema.GetDataFields().Single(f => f.Name == "key");
        var keys = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var rowGroup = reader.OpenRowGroupReader(g);
            keys += (await ColumnIO.ReadStringsAsync(rowGroup, key, (int)rowGroup.RowCount, CancellationToken.None)).Length;
        }

        Assert.Equal(240, keys);
        Assert.True(reader.RowGroupCount >= 4, $"{reader.RowGroupCount} row groups");
        // Each row group's key chunk is a few KB; a 4 MiB window per chunk would read about the whole file.
        Assert.True(direct.BytesFromFile < stream.Length / 4, $"read {direct.BytesFromFile} of {stream.Length} bytes");
    }

    [Fact]
    public async Task Empty_and_tiny_files_read_correctly()
    {
        var empty = NewFile(0, 4);
        await using (var stream = DirectReadFileStream.Open(empty))
            Assert.Equal(0, await stream.ReadAsync(new byte[100]));
        var tiny = NewFile(7, 5);
        await using (var stream = DirectReadFileStream.Open(tiny))
        {
            var got = new byte[100];
            Assert.Equal(7, await stream.ReadAsync(got));
            Assert.Equal(await File.ReadAllBytesAsync(tiny), got[..7]);
        }
    }
}
