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
