using Parquet;
using Parquet.Schema;
using SSeg.Shards.Parquet;
using SSeg.Shards.Storage;

namespace SSeg.Shards.Writing;

/// <summary>
/// A Parquet file streamed into a staged (invisible) storage object while its SHA-256 is computed on the fly.
/// Text and number columns are compressed (dictionary where it pays); <see cref="WriteBinaryColumnAsync"/> writes
/// image/mask bytes plain.
/// </summary>
internal sealed class StagedParquetFile : IAsyncDisposable
{
    private readonly IStagedObject _staged;
    private readonly HashingWriteStream _hashing;
    private readonly WriteBehindStream _writeBehind;
    private readonly ParquetWriter _writer;
    private readonly CompressionMethod _textCompression;
    private readonly double _defaultDictionaryThreshold;
    private bool _closed;

    private StagedParquetFile(IStagedObject staged, HashingWriteStream hashing, WriteBehindStream writeBehind, ParquetWriter writer,
        ParquetOptions options, CompressionMethod textCompression)
    {
        _staged = staged;
        _hashing = hashing;
        _writeBehind = writeBehind;
        _writer = writer;
        Options = options;
        _textCompression = textCompression;
        _defaultDictionaryThreshold = options.DictionaryEncodingThreshold;
    }

    public ParquetOptions Options { get; }
    public string Key => _staged.Key;
    public int RowGroups { get; private set; }
    public long Rows { get; private set; }
    public long BytesWritten => _writeBehind.Position;

    public static async Task<StagedParquetFile> CreateAsync(IStorage storage, string key, ParquetSchema schema,
        IReadOnlyDictionary<string, string>? metadata, CompressionMethod textCompression, CancellationToken ct)
    {
        var staged = await storage.BeginWriteAsync(key, ct);
        try
        {
            // Parquet.Net -> write-behind queue -> (background) SHA-256 -> staged object, so encoding overlaps I/O.
            var hashing = new HashingWriteStream(staged.Stream);
            var writeBehind = new WriteBehindStream(hashing);
            var options = new ParquetOptions
            {
                CompressionMethod = textCompression,
                // Bound Parquet.Net's pool of freed page buffers (unbounded when unset).
                MaximumSmallPoolFreeBytes = 16 << 20,
                MaximumLargePoolFreeBytes = 64 << 20,
            };
            var writer = await ParquetWriter.CreateAsync(schema, writeBehind, options, append: false, ct);
            if (metadata is not null) writer.CustomMetadata = metadata;
            return new StagedParquetFile(staged, hashing, writeBehind, writer, options, textCompression);
        }
        catch
        {
            await staged.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts a row group; the caller writes every column in schema order, then disposes it.</summary>
    public ParquetRowGroupWriter BeginRowGroup(int rows)
    {
        RowGroups++;
        Rows += rows;
        return _writer.CreateRowGroup();
    }

    /// <summary>Writes an image/mask bytes column: already compressed data, so no compression and no dictionary
    /// (Parquet.Net reads these options when it writes the column chunk). Other columns use the text settings.</summary>
    public async Task WriteBinaryColumnAsync(ParquetRowGroupWriter rg, DataField field, IReadOnlyCollection<byte[]> values)
    {
        Options.CompressionMethod = CompressionMethod.None;
        Options.DictionaryEncodingThreshold = 0;
        try
        {
            await ColumnIO.WriteBytesAsync(rg, field, values);
        }
        finally
        {
            Options.CompressionMethod = _textCompression;
            Options.DictionaryEncodingThreshold = _defaultDictionaryThreshold;
        }
    }

    /// <summary>Writes the footer; returns the file's size and SHA-256. Nothing is visible yet.</summary>
    public async Task<(long Bytes, string Sha256)> CloseAsync(CancellationToken ct)
    {
        if (!_closed)
        {
            await _writer.DisposeAsync();
            await _writeBehind.CompleteAsync(ct);
            _closed = true;
        }
        return (_hashing.Position, _hashing.HashHex());
    }

    /// <summary>Atomically makes the closed file visible under <see cref="Key"/>.</summary>
    public Task PublishAsync(CancellationToken ct)
    {
        if (!_closed) throw new InvalidOperationException("Close the file before publishing it.");
        return _staged.CommitAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_closed)
        {
            try { await _writer.DisposeAsync(); } catch (Exception) { /* aborting: the staged data is discarded anyway */ }
            _closed = true;
        }
        await _writeBehind.DisposeAsync();
        await _hashing.DisposeAsync();
        await _staged.DisposeAsync();
    }
}
