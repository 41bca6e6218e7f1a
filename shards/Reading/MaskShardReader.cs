using System.Runtime.CompilerServices;
using SSeg.Shards.Parquet;
using SSeg.Shards.Reading;
using SSeg.Shards.Storage;

namespace SSeg.Shards;

/// <summary>Streams a mask shard by row group; <see cref="Generator"/> comes from the file metadata.</summary>
public sealed class MaskShardReader : ShardReader
{
    private MaskShardReader(ShardFileReader.OpenFile file) : base(file) =>
        Generator = Metadata.TryGetValue(MaskShardWriter.GeneratorMetadataKey, out var json)
            ? ShardJson.Deserialize<MaskGeneratorInfo>(System.Text.Encoding.UTF8.GetBytes(json), $"Generator metadata of {file.Key}")
            : null;

    /// <summary>The generator recorded in the file, or null if the file has none.</summary>
    public MaskGeneratorInfo? Generator { get; }

    /// <summary>Opens any stored mask shard; throws <see cref="InvalidDataException"/> naming the key when it is not one.</summary>
    public static async Task<MaskShardReader> OpenAsync(IStorage storage, string key, CancellationToken ct = default) =>
        new(await OpenFileAsync(storage, key, MaskShardSchema.Required, ct));

    /// <summary>Reads row group <paramref name="index"/>; with <paramref name="includeMask"/> false the PNG bytes are skipped.</summary>
    /// <exception cref="UnreadableShardException">Opened through a dataset, and the row group cannot be decoded.</exception>
    /// <exception cref="InvalidDataException">Opened by key, and the row group cannot be decoded.</exception>
    public Task<IReadOnlyList<MaskRow>> ReadRowGroupAsync(int index, bool includeMask = true, CancellationToken ct = default) =>
        ReadRowGroupExplainedAsync(index, () => ReadRowGroupCoreAsync(index, includeMask, ct));

    private async Task<IReadOnlyList<MaskRow>> ReadRowGroupCoreAsync(int index, bool includeMask, CancellationToken ct)
    {
        using var rg = Reader.OpenRowGroupReader(index);
        var n = checked((int)rg.RowCount);
        var keys = await ColumnIO.ReadStringsAsync(rg, Fields["key"], n, ct);
        var masks = includeMask ? await ColumnIO.ReadBytesAsync(rg, Fields["mask"], n, ct) : new byte[]?[n];
        var heights = await ColumnIO.ReadInt32Async(rg, Fields["height"], n, ct);
        var widths = await ColumnIO.ReadInt32Async(rg, Fields["width"], n, ct);
        var segments = await ColumnIO.ReadInt32Async(rg, Fields["segments"], n, ct);
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
}
