using System.Runtime.CompilerServices;
using Parquet;
using Parquet.Schema;
using SSeg.Shards.Parquet;
using SSeg.Shards.Reading;
using SSeg.Shards.Storage;

namespace SSeg.Shards;

/// <summary>Streams a mask shard by row group; <see cref="Generator"/> comes from the file metadata.</summary>
public sealed class MaskShardReader : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly ParquetReader _reader;
    private readonly Dictionary<string, DataField> _fields;

    private MaskShardReader(string key, Stream stream, ParquetReader reader, Dictionary<string, DataField> fields)
    {
        Key = key;
        _stream = stream;
        _reader = reader;
        _fields = fields;
        Generator = reader.CustomMetadata.TryGetValue(MaskShardWriter.GeneratorMetadataKey, out var json)
            ? ShardJson.Deserialize<MaskGeneratorInfo>(System.Text.Encoding.UTF8.GetBytes(json), $"Generator metadata of {key}")
            : null;
    }

    /// <summary>The storage key of the file.</summary>
    public string Key { get; }

    /// <summary>The generator recorded in the file, or null if the file has none.</summary>
    public MaskGeneratorInfo? Generator { get; }

    /// <summary>Number of row groups.</summary>
    public int RowGroupCount => _reader.RowGroupCount;

    /// <summary>Rows in the file (from the footer).</summary>
    public long RowCount => _reader.Metadata?.NumRows ?? 0;

    /// <summary>The file's key-value metadata.</summary>
    public IReadOnlyDictionary<string, string> Metadata => _reader.CustomMetadata;

    /// <summary>Opens any stored mask shard; throws <see cref="InvalidDataException"/> naming the key when it is not one.</summary>
    public static async Task<MaskShardReader> OpenAsync(IStorage storage, string key, CancellationToken ct = default)
    {
        var (stream, reader, fields) = await ShardFileReader.OpenAsync(storage, key, MaskShardSchema.Required, ct);
        return new MaskShardReader(key, stream, reader, fields);
    }

    /// <summary>Reads row group <paramref name="index"/>; with <paramref name="includeMask"/> false the PNG bytes are skipped.</summary>
    public async Task<IReadOnlyList<MaskRow>> ReadRowGroupAsync(int index, bool includeMask = true, CancellationToken ct = default)
    {
        using var rg = _reader.OpenRowGroupReader(index);
        var n = checked((int)rg.RowCount);
        var keys = await ColumnIO.ReadStringsAsync(rg, _fields["key"], n, ct);
        var masks = includeMask ? await ColumnIO.ReadBytesAsync(rg, _fields["mask"], n, ct) : new byte[]?[n];
        var heights = await ColumnIO.ReadInt32Async(rg, _fields["height"], n, ct);
        var widths = await ColumnIO.ReadInt32Async(rg, _fields["width"], n, ct);
        var segments = await ColumnIO.ReadInt32Async(rg, _fields["segments"], n, ct);
        var rows = new MaskRow[n];
        for (var i = 0; i < n; i++) rows[i] = new MaskRow(keys[i] ?? "", masks[i] ?? [], heights[i], widths[i], segments[i]);
        return rows;
    }

    /// <summary>Streams all rows in order.</summary>
    public async IAsyncEnumerable<MaskRow> ReadRowsAsync(bool includeMask = true, [EnumeratorCancellation] CancellationToken ct = default)
    {
        for (var g = 0; g < RowGroupCount; g++)
            foreach (var row in await ReadRowGroupAsync(g, includeMask, ct))
                yield return row;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _reader.DisposeAsync();
        await _stream.DisposeAsync();
    }
}
