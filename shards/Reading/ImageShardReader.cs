using System.Runtime.CompilerServices;
using SSeg.Shards.Parquet;
using SSeg.Shards.Reading;
using SSeg.Shards.Storage;

namespace SSeg.Shards;

/// <summary>
/// Streams an image shard one row group at a time, reading only the projected columns. Memory is about one
/// row group of the chosen columns. Open with <see cref="Dataset.OpenImageShardAsync"/> or <see cref="OpenAsync"/>.
/// </summary>
public sealed class ImageShardReader : ShardReader
{
    private ImageShardReader(ShardFileReader.OpenFile file) : base(file) { }

    /// <summary>Opens any stored image shard; throws <see cref="InvalidDataException"/> naming the key when it is not one.</summary>
    public static async Task<ImageShardReader> OpenAsync(IStorage storage, string key, CancellationToken ct = default) =>
        new(await OpenFileAsync(storage, key, ImageShardSchema.Required, ct));

    /// <summary>Reads row group <paramref name="index"/> with the chosen columns.</summary>
    /// <exception cref="UnreadableShardException">Opened through a dataset, and the row group cannot be decoded.</exception>
    /// <exception cref="InvalidDataException">Opened by key, and the row group cannot be decoded.</exception>
    public Task<IReadOnlyList<ImageRow>> ReadRowGroupAsync(int index, ImageColumns columns = ImageColumns.All, CancellationToken ct = default) =>
        ReadRowGroupExplainedAsync(index, () => ReadRowGroupCoreAsync(index, columns, ct));

    private async Task<IReadOnlyList<ImageRow>> ReadRowGroupCoreAsync(int index, ImageColumns columns, CancellationToken ct)
    {
        using var rg = Reader.OpenRowGroupReader(index);
        var n = checked((int)rg.RowCount);
        async Task<string?[]> Strings(ImageColumns c, string path) =>
            columns.HasFlag(c) ? await ColumnIO.ReadStringsAsync(rg, Fields[path], n, ct) : new string?[n];
        async Task<int[]> Ints(ImageColumns c, string path) =>
            columns.HasFlag(c) ? await ColumnIO.ReadInt32Async(rg, Fields[path], n, ct) : new int[n];
        async Task<IReadOnlyList<string>[]> Lists(ImageColumns c, string path) =>
            columns.HasFlag(c) ? await ColumnIO.ReadStringListsAsync(rg, Fields[path], n, ct) : Enumerable.Repeat<IReadOnlyList<string>>([], n).ToArray();

        var keys = await Strings(ImageColumns.Key, "key");
        var images = columns.HasFlag(ImageColumns.Image) ? await ColumnIO.ReadBytesAsync(rg, Fields["image/bytes"], n, ct) : new byte[]?[n];
        var paths = await Strings(ImageColumns.Image, "image/path");
        var captions = await Strings(ImageColumns.Caption, "caption");
        var nouns = await Lists(ImageColumns.Nouns, "nouns/list/element");
        var verbs = await Lists(ImageColumns.Verbs, "verbs/list/element");
        var urls = await Strings(ImageColumns.Url, "url");
        var sources = await Strings(ImageColumns.Source, "source");
        var widths = await Ints(ImageColumns.Size, "width");
        var heights = await Ints(ImageColumns.Size, "height");
        var ows = await Ints(ImageColumns.OriginalSize, "original_width");
        var ohs = await Ints(ImageColumns.OriginalSize, "original_height");
        var shas = await Strings(ImageColumns.Sha256, "sha256");
        var extras = await Strings(ImageColumns.Extra, "extra");
        var rows = new ImageRow[n];
        for (var i = 0; i < n; i++)
            rows[i] = new ImageRow(keys[i] ?? "", images[i] ?? [], captions[i] ?? "", nouns[i], verbs[i], urls[i] ?? "",
                sources[i] ?? "", widths[i], heights[i], ows[i], ohs[i], shas[i] ?? "", extras[i]) { ImagePath = paths[i] };
        return rows;
    }

    /// <summary>Streams all row groups in order.</summary>
    public async IAsyncEnumerable<IReadOnlyList<ImageRow>> ReadRowGroupsAsync(ImageColumns columns = ImageColumns.All,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        for (var g = 0; g < RowGroupCount; g++)
            yield return await ReadRowGroupAsync(g, columns, ct);
    }

    /// <summary>Streams all rows in order.</summary>
    public async IAsyncEnumerable<ImageRow> ReadRowsAsync(ImageColumns columns = ImageColumns.All,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var group in ReadRowGroupsAsync(columns, ct))
            foreach (var row in group)
                yield return row;
    }
}
