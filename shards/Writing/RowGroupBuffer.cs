using Parquet;

namespace SSeg.Shards.Writing;

/// <summary>
/// The part every shard writer shares: rows are buffered and written as one row group of the staged file once
/// they reach <see cref="ShardWriterOptions.RowGroupTargetBytes"/> (or <see cref="ShardWriterOptions.RowGroupMaxRows"/>);
/// the writer only says how its columns are written. Disposing before the file is published aborts it.
/// </summary>
internal sealed class RowGroupBuffer<TRow>(StagedParquetFile file, ShardWriterOptions options,
    Func<ParquetRowGroupWriter, IReadOnlyList<TRow>, CancellationToken, Task> writeColumns) : IAsyncDisposable
{
    private readonly List<TRow> _rows = [];
    private long _bytes;

    public StagedParquetFile File => file;

    /// <summary>True once committed or aborted.</summary>
    public bool Done { get; private set; }

    /// <summary>Rows added so far (written and buffered).</summary>
    public long RowCount => file.Rows + _rows.Count;

    /// <summary>Buffers a row of about <paramref name="approximateBytes"/>; writes a row group when the buffer is full.</summary>
    public async Task AddAsync(TRow row, long approximateBytes, CancellationToken ct)
    {
        _rows.Add(row);
        _bytes += approximateBytes;
        if (_bytes >= options.RowGroupTargetBytes || _rows.Count >= options.RowGroupMaxRows) await FlushAsync(ct);
    }

    /// <summary>Writes the buffered rows as a row group (nothing when empty).</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        if (_rows.Count == 0) return;
        using (var rg = file.BeginRowGroup(_rows.Count))
        {
            await writeColumns(rg, _rows, ct);
            rg.CompleteValidate();
        }
        _rows.Clear();
        _bytes = 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (Done) return;
        Done = true;
        _rows.Clear();
        await file.DisposeAsync();
    }
}
