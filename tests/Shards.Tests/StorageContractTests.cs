using System.Text;
using SSeg.Shards.Storage;
using SSeg.Tests.Common;

namespace SSeg.Shards.Tests;

/// <summary>The behaviour every <see cref="IStorage"/> backend must have; run once per backend below.</summary>
public abstract class StorageContractTests
{
    protected abstract IStorage NewStorage();

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static async Task<byte[]> ReadAllAsync(IStorage storage, string key)
    {
        await using var stream = await storage.OpenReadAsync(key);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    [Fact]
    public async Task Write_read_info_list_delete()
    {
        var s = NewStorage();
        await s.WriteAsync("a/b/one.txt", Utf8("one"));
        await s.WriteAsync("a/b/two.txt", Utf8("second"));
        await s.WriteAsync("a/c.txt", Utf8("c"));
        await s.WriteAsync("ab.txt", Utf8("ab"));

        Assert.Equal("one", Encoding.UTF8.GetString(await ReadAllAsync(s, "a/b/one.txt")));
        var info = await s.GetInfoAsync("a/b/two.txt");
        Assert.NotNull(info);
        Assert.Equal(6, info.Size);
        Assert.Null(await s.GetInfoAsync("a/b/missing.txt"));

        var listed = new List<string>();
        await foreach (var item in s.ListAsync("a/")) listed.Add(item.Key);
        Assert.Equal(["a/b/one.txt", "a/b/two.txt", "a/c.txt"], listed);
        listed.Clear();
        await foreach (var item in s.ListAsync("a")) listed.Add(item.Key);
        Assert.Equal(["a/b/one.txt", "a/b/two.txt", "a/c.txt", "ab.txt"], listed);
        listed.Clear();
        await foreach (var item in s.ListAsync("a/b/t")) listed.Add(item.Key);   // a prefix ending inside a name
        Assert.Equal(["a/b/two.txt"], listed);

        Assert.True(await s.DeleteAsync("a/c.txt"));
        Assert.False(await s.DeleteAsync("a/c.txt"));
        Assert.Null(await s.GetInfoAsync("a/c.txt"));
    }

    [Fact]
    public async Task Missing_objects_give_clear_errors_or_nulls()
    {
        var s = NewStorage();
        var e = await Assert.ThrowsAsync<FileNotFoundException>(() => s.OpenReadAsync("no/such.parquet"));
        Assert.Contains("no/such.parquet", e.Message);
        Assert.Null(await s.ReadVersionedAsync("no/such.json"));
        var listed = new List<StorageObjectInfo>();
        await foreach (var item in s.ListAsync("nothing/")) listed.Add(item);
        Assert.Empty(listed);
    }

    [Fact]
    public async Task Staged_write_is_invisible_until_commit_and_abort_leaves_nothing()
    {
        var s = NewStorage();
        await using (var staged = await s.BeginWriteAsync("d/part.bin"))
        {
            await staged.Stream.WriteAsync(new byte[1000]);
            Assert.Null(await s.GetInfoAsync("d/part.bin"));
        }   // disposed without commit
        Assert.Null(await s.GetInfoAsync("d/part.bin"));
        var listed = new List<string>();
        await foreach (var item in s.ListAsync("")) listed.Add(item.Key);
        Assert.Empty(listed);

        await using (var staged = await s.BeginWriteAsync("d/part.bin"))
        {
            await staged.Stream.WriteAsync(Utf8("final"));
            await staged.CommitAsync();
        }
        Assert.Equal("final", Encoding.UTF8.GetString(await ReadAllAsync(s, "d/part.bin")));
    }

    [Fact]
    public async Task Large_staged_write_round_trips_and_replaces_atomically()
    {
        var s = NewStorage();
        await s.WriteAsync("big.bin", Utf8("old"));
        var data = new byte[AzureBlobStorage.BlockSize * 2 + 12345];   // several blocks on Blob
        new Random(7).NextBytes(data);
        await using (var staged = await s.BeginWriteAsync("big.bin"))
        {
            for (var offset = 0; offset < data.Length; offset += 1_000_003)
                await staged.Stream.WriteAsync(data.AsMemory(offset, Math.Min(1_000_003, data.Length - offset)));
            Assert.Equal(data.Length, staged.Stream.Position);
            Assert.Equal("old", Encoding.UTF8.GetString(await ReadAllAsync(s, "big.bin")));
            await staged.CommitAsync();
        }
        Assert.Equal(data, await ReadAllAsync(s, "big.bin"));

        await using var read = await s.OpenReadAsync("big.bin");
        Assert.True(read.CanSeek);
        read.Seek(-10, SeekOrigin.End);
        var tail = new byte[10];
        await read.ReadExactlyAsync(tail);
        Assert.Equal(data[^10..], tail);
    }

    [Fact]
    public async Task Compare_and_swap_accepts_only_the_current_version()
    {
        var s = NewStorage();
        var v1 = await s.TryWriteIfVersionAsync("m.json", Utf8("1"), expectedVersion: null);
        Assert.NotNull(v1);
        Assert.Null(await s.TryWriteIfVersionAsync("m.json", Utf8("x"), expectedVersion: null));   // exists already
        var v2 = await s.TryWriteIfVersionAsync("m.json", Utf8("2"), v1);
        Assert.NotNull(v2);
        Assert.Null(await s.TryWriteIfVersionAsync("m.json", Utf8("stale"), v1));
        var current = await s.ReadVersionedAsync("m.json");
        Assert.NotNull(current);
        Assert.Equal("2", Encoding.UTF8.GetString(current.Content));
        Assert.Equal(v2, current.Version);
    }

    [Fact]
    public async Task Concurrent_compare_and_swap_increments_lose_nothing()
    {
        var s = NewStorage();
        await s.TryWriteIfVersionAsync("counter", Utf8("0"), null);
        const int writers = 4, increments = 10;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < increments; i++)
                while (true)
                {
                    var current = (await s.ReadVersionedAsync("counter"))!;
                    var next = int.Parse(Encoding.UTF8.GetString(current.Content)) + 1;
                    if (await s.TryWriteIfVersionAsync("counter", Utf8(next.ToString()), current.Version) is not null) break;
                }
        })));
        Assert.Equal((writers * increments).ToString(), Encoding.UTF8.GetString((await s.ReadVersionedAsync("counter"))!.Content));
    }

    [Fact]
    public async Task Appends_from_many_writers_each_land_whole_and_a_reader_reads_on_from_any_offset()
    {
        var s = NewStorage();
        Assert.Null(await s.ReadFromAsync("log/m.log", 0));
        await s.AppendAsync("log/m.log", Utf8("first\n"));   // creates the object
        Assert.Equal("first\n", Encoding.UTF8.GetString((await s.ReadFromAsync("log/m.log", 0))!));
        Assert.Equal("st\n", Encoding.UTF8.GetString((await s.ReadFromAsync("log/m.log", 3))!));
        Assert.Empty((await s.ReadFromAsync("log/m.log", 6))!);   // nothing past the end

        // 8 writers append 40 records each at once; a record is long enough that two interleaved writes would show.
        const int writers = 8, records = 40;
        static string Record(int writer, int n) => $"{writer:D2}-{n:D3}-{new string((char)('a' + writer), 200)}\n";
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var n = 0; n < records; n++) await s.AppendAsync("log/m.log", Utf8(Record(w, n)));
        })));
        var lines = Encoding.UTF8.GetString((await s.ReadFromAsync("log/m.log", 6))!).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var expected = Enumerable.Range(0, writers).SelectMany(w => Enumerable.Range(0, records).Select(n => Record(w, n).TrimEnd('\n')));
        Assert.Equal(expected.Order(StringComparer.Ordinal), lines.Order(StringComparer.Ordinal));
        // Each writer's records in its own order.
        for (var w = 0; w < writers; w++)
            Assert.Equal(Enumerable.Range(0, records), lines.Where(l => l.StartsWith($"{w:D2}-", StringComparison.Ordinal)).Select(l => int.Parse(l[3..6])));
        // A listing gives the length so far: the journal reads only the logs whose length passed where it stopped.
        var length = 6 + writers * records * Record(0, 0).Length;
        Assert.Equal(length, (await s.GetInfoAsync("log/m.log"))!.Size);
        Assert.Equal([("log/m.log", (long)length)], await s.ListAsync("log/").Select(o => (o.Key, o.Size)).ToListAsync());
    }

    [Fact]
    public void Invalid_keys_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => StorageKeys.Validate("../x"));
        Assert.Throws<ArgumentException>(() => StorageKeys.Validate("/abs"));
        Assert.Throws<ArgumentException>(() => StorageKeys.Validate("a//b"));
    }
}

public sealed class LocalStorageContractTests : StorageContractTests, IDisposable
{
    private readonly string _root = RepoPaths.NewTempDir("sseg-storage");
    protected override IStorage NewStorage() => StorageFactory.Open(Path.Combine(_root, Guid.NewGuid().ToString("N")));
    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Temp_files_of_killed_writers_are_swept_after_a_day()
    {
        var storage = (LocalStorage)NewStorage();
        var tmp = Path.Combine(storage.RootUri, "_sseg", "tmp");
        Directory.CreateDirectory(tmp);
        var stale = Path.Combine(tmp, "old-part-00001.parquet");
        var fresh = Path.Combine(tmp, "new-part-00002.parquet");
        await File.WriteAllTextAsync(stale, "x");
        await File.WriteAllTextAsync(fresh, "y");
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddDays(-2));
        await using (await storage.BeginWriteAsync("a.bin")) { }
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(fresh));
    }
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobStorageContractTests(AzuriteFixture azurite) : StorageContractTests, IDisposable
{
    public void Dispose() => azurite.DeleteContainers();
    protected override IStorage NewStorage() => StorageFactory.Open(azurite.NewRootUri(), azurite.ConnectionString);

    [Fact]
    public void Root_uri_names_container_and_prefix()
    {
        var s = StorageFactory.Open("az://data/runs/x", azurite.ConnectionString);
        Assert.Equal("az://data/runs/x", s.RootUri);
        var e = Assert.Throws<ArgumentException>(() => StorageFactory.Open("az://", azurite.ConnectionString));
        Assert.Contains("container", e.Message);
    }

    [Fact]
    public async Task Blocks_uploaded_in_parallel_commit_in_write_order()
    {
        var container = $"t{Guid.NewGuid():N}";
        var s = StorageFactory.Open($"az://{container}/p", azurite.ConnectionString);
        var blocks = 2 * AzureBlobStorage.MaxBlocksInFlight + 1;   // more blocks than may be in flight, plus a tail
        var data = new byte[AzureBlobStorage.BlockSize * blocks + 777];
        new Random(9).NextBytes(data);
        await using (var staged = await s.BeginWriteAsync("many.bin"))
        {
            for (var offset = 0; offset < data.Length; offset += 3_000_017)
                staged.Stream.Write(data, offset, Math.Min(3_000_017, data.Length - offset));
            await staged.CommitAsync();
        }
        var blob = new Azure.Storage.Blobs.Specialized.BlockBlobClient(azurite.ConnectionString, container, "p/many.bin");
        var list = (await blob.GetBlockListAsync()).Value;
        Assert.Equal(blocks + 1, list.CommittedBlocks.Count());
        Assert.Equal(data.Length, list.CommittedBlocks.Sum(b => b.SizeLong));
        Assert.Equal(data, (await blob.DownloadContentAsync()).Value.Content.ToArray());
    }

    [Fact]
    public async Task A_failed_block_upload_fails_the_commit_and_publishes_nothing()
    {
        var container = $"t{Guid.NewGuid():N}";
        var s = StorageFactory.Open($"az://{container}/p", azurite.ConnectionString);
        var staged = await s.BeginWriteAsync("lost.bin");
        await new Azure.Storage.Blobs.BlobContainerClient(azurite.ConnectionString, container).DeleteAsync();
        var e = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await staged.Stream.WriteAsync(new byte[AzureBlobStorage.BlockSize * 3 + 5]);
            await staged.CommitAsync();
        });
        Assert.IsType<Azure.RequestFailedException>(e);
        await staged.DisposeAsync();
        Assert.Null(await s.GetInfoAsync("lost.bin"));
    }
}
