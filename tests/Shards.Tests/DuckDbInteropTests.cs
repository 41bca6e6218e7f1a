using DuckDB.NET.Data;
using SixLabors.ImageSharp;
using SSeg.Shards.Storage;
using SSeg.Tests.Common;

namespace SSeg.Shards.Tests;

/// <summary>An independent Parquet implementation (DuckDB) reads the shards this project writes.</summary>
public sealed class DuckDbInteropTests : IDisposable
{
    private readonly string _root = RepoPaths.NewTempDir("sseg-duckdb");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static List<object?[]> Query(string sql)
    {
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)   // blobs come as streams over DuckDB memory: copy them while the reader lives
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i) is Stream blob ? ReadStream(blob) : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    private static byte[] ReadBlob(object? value) => value switch
    {
        byte[] bytes => bytes,
        Stream stream => ReadStream(stream),
        _ => throw new InvalidOperationException($"Unexpected blob type {value?.GetType()}"),
    };

    private static byte[] ReadStream(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    [Fact]
    public async Task DuckDB_reads_image_and_mask_shards()
    {
        var store = DatasetStore.Open(_root);
        var ds = await store.CreateOrOpenAsync("interop");
        await TestRows.WriteImageShardAsync(ds, 0, rows: 9, options: new ShardWriterOptions { RowGroupMaxRows = 4 });
        await using (var writer = await ds.CreateMaskShardWriterAsync(new MaskGeneratorInfo("g1", "dino", "c", "k", 4, 1), 0))
        {
            await writer.AddAsync(new MaskRow("test/00000/00000", TestMasks.Png(8, 6, 0), 6, 8, 4));
            await writer.CommitAsync();
        }
        var local = (LocalStorage)store.Storage;
        var images = local.PathOf(ds.KeyOf(ShardNames.DataPath("images", 0)));
        var masks = local.PathOf(ds.KeyOf(ShardNames.DataPath(ShardNames.MasksKind("g1"), 0)));

        Assert.Equal(9L, Convert.ToInt64(Query($"SELECT count(*) FROM read_parquet('{images}')")[0][0]));

        var first = Query($"SELECT key, image.bytes, caption, len(nouns), verbs[1], width, original_height, extra FROM read_parquet('{images}') ORDER BY key LIMIT 2");
        Assert.Equal("test/00000/00000", first[0][0]);
        var jpeg = ReadBlob(first[0][1]);
        Assert.Equal(TestRows.Photo(0), jpeg);
        using (var decoded = Image.Load(jpeg))
            Assert.True(decoded.Width > 0 && decoded.Height > 0);
        Assert.Equal("a photo number 0 of shard 0", first[0][2]);
        Assert.Equal(0L, Convert.ToInt64(first[0][3]));   // row 0 has no nouns
        Assert.Equal("run", first[0][4]);
        Assert.Equal(100, Convert.ToInt32(first[0][5]));
        Assert.Equal(2000, Convert.ToInt32(first[0][6]));
        Assert.Null(first[0][7]);
        Assert.Equal(2L, Convert.ToInt64(first[1][3]));
        Assert.Null(first[1][4]);                          // row 1 has no verbs

        // Image bytes are stored uncompressed and without dictionary pages; text columns are compressed.
        var columns = Query($"SELECT path_in_schema, compression, encodings, dictionary_page_offset FROM parquet_metadata('{images}')");
        var imageColumn = columns.Where(c => ((string)c[0]!).Contains("bytes")).ToList();
        Assert.Equal(3, imageColumn.Count);   // one chunk per row group
        Assert.All(imageColumn, c => Assert.Equal("UNCOMPRESSED", c[1]));
        Assert.All(imageColumn, c => Assert.DoesNotContain("DICTIONARY", (string)c[2]!));
        Assert.All(imageColumn, c => Assert.Null(c[3]));
        Assert.All(columns.Where(c => (string)c[0]! == "caption"), c => Assert.Equal("SNAPPY", c[1]));

        var mask = Query($"SELECT key, mask, height, width, segments FROM read_parquet('{masks}')");
        Assert.Equal((6, 8, 4), (Convert.ToInt32(mask[0][2]), Convert.ToInt32(mask[0][3]), Convert.ToInt32(mask[0][4])));
        using (var png = Image.Load(ReadBlob(mask[0][1])))
            Assert.Equal((8, 6), (png.Width, png.Height));
        var metadata = Query($"SELECT decode(key), decode(value) FROM parquet_kv_metadata('{masks}')");
        Assert.Contains(metadata, m => (string)m[0]! == "sseg.generator.id" && (string)m[1]! == "g1");
    }
}
