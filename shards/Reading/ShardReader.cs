using Parquet;
using Parquet.Schema;
using SSeg.Shards.Reading;
using SSeg.Shards.Storage;

namespace SSeg.Shards;

/// <summary>
/// What every shard reader has: the open Parquet file (its columns checked against the shard schema when opened),
/// its row groups, row count and key-value metadata. <see cref="ImageShardReader"/> and <see cref="MaskShardReader"/>
/// add the typed row reads.
/// </summary>
public abstract class ShardReader : IAsyncDisposable
{
    private readonly Stream _stream;

    private protected ShardReader(ShardFileReader.OpenFile file)
    {
        Key = file.Key;
        _stream = file.Stream;
        Reader = file.Reader;
        Fields = file.Fields;
    }

    private protected ParquetReader Reader { get; }

    /// <summary>The file's columns by '/'-joined path.</summary>
    private protected IReadOnlyDictionary<string, DataField> Fields { get; }

    /// <summary>The storage key of the file.</summary>
    public string Key { get; }

    /// <summary>Number of row groups.</summary>
    public int RowGroupCount => Reader.RowGroupCount;

    /// <summary>Rows in the file (from the footer).</summary>
    public long RowCount => Reader.Metadata?.NumRows ?? 0;

    /// <summary>The file's key-value metadata.</summary>
    public IReadOnlyDictionary<string, string> Metadata => Reader.CustomMetadata;

    /// <summary>The committed shard this file is, when a <see cref="Dataset"/> opened it: a damaged row group is then
    /// reported as that shard being unreadable, which is what the stages isolate and report.</summary>
    internal ShardEntry? Entry { get; set; }

    /// <summary>
    /// Runs <paramref name="read"/> on row group <paramref name="index"/>; a failure (a damaged page inside the file,
    /// which the footer check cannot see) names the file and the row group. Opened through a dataset it is an
    /// <see cref="UnreadableShardException"/>, otherwise an <see cref="InvalidDataException"/> naming the key.
    /// </summary>
    private protected async Task<T> ReadRowGroupExplainedAsync<T>(int index, Func<Task<T>> read)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, RowGroupCount);
        try
        {
            return await read();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var where = $"row group {index + 1} of {RowGroupCount}";
            var reason = UnreadableShardException.Describe(e);
            if (Entry is { } entry) throw new UnreadableShardException(entry.Kind, entry.Index, entry.Path, $"{where}: {reason}", e);
            throw new InvalidDataException($"{Key}: {where} unreadable: {reason}", e);
        }
    }

    /// <summary>Opens <paramref name="key"/> and checks it has <paramref name="requiredColumns"/>.</summary>
    private protected static Task<ShardFileReader.OpenFile> OpenFileAsync(IStorage storage, string key,
        IReadOnlyDictionary<string, Type> requiredColumns, CancellationToken ct) =>
        ShardFileReader.OpenAsync(storage, key, requiredColumns, ct);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Reader.DisposeAsync();
        await _stream.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
