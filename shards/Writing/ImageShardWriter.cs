using System.Diagnostics;
using SSeg.Shards.Parquet;

namespace SSeg.Shards;

/// <summary>
/// Streams <see cref="ImageRow"/>s into one image shard (<c>images/part-NNNNN.parquet</c>) and commits it
/// atomically together with <c>part-NNNNN.stats.json</c> and <c>part-NNNNN.failures.parquet</c>.
/// Get one from <see cref="Dataset.CreateImageShardWriterAsync"/>. Single producer: call
/// <see cref="AddAsync"/> / <see cref="AddFailure"/> from one task at a time. Dispose without
/// <see cref="CommitAsync"/> aborts: nothing becomes visible.
/// </summary>
public sealed class ImageShardWriter : IAsyncDisposable
{
    private readonly Dataset _dataset;
    private readonly Writing.StagedParquetFile _file;
    private readonly ImageShardSchema _schema;
    private readonly Writing.RowGroupBuffer<ImageRow> _rows;
    private readonly List<FailureRow> _failures = [];
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ShardEntry? _replacing;
    private readonly string _partName;

    internal ImageShardWriter(Dataset dataset, int shardIndex, Writing.StagedParquetFile file, ImageShardSchema schema, ShardWriterOptions options,
        ShardEntry? replacing = null, string? partName = null)
    {
        _dataset = dataset;
        _replacing = replacing;
        _partName = partName ?? ShardNames.PartName(shardIndex);
        ShardIndex = shardIndex;
        _file = file;
        _schema = schema;
        _rows = new Writing.RowGroupBuffer<ImageRow>(file, options, WriteColumnsAsync);
    }

    /// <summary>The shard index (input slice) this writer produces.</summary>
    public int ShardIndex { get; }

    /// <summary>Rows added so far.</summary>
    public long RowCount => _rows.RowCount;

    /// <summary>Failures added so far.</summary>
    public int FailureCount => _failures.Count;

    /// <summary>Input rows of the slice (written to stats.json; optional).</summary>
    public long? InputRows { get; set; }

    /// <summary>What the shard is made from (hash of its input slice and row-shaping options), recorded in its
    /// commit object so a rebuild can tell an unchanged shard; null when not known.</summary>
    public string? InputFingerprint { get; set; }

    /// <summary>Stage timings in seconds (download, resize, tagging, ...), written to stats.json.</summary>
    public Dictionary<string, double> TimingsSeconds { get; } = [];

    /// <summary>Any counters the stage wants in stats.json (bytes downloaded, retries, ...).</summary>
    public Dictionary<string, long> Counters { get; } = [];

    /// <summary>Adds a row; writes a row group when the buffered rows reach the configured size.</summary>
    public async Task AddAsync(ImageRow row, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_rows.Done, this);
        ArgumentNullException.ThrowIfNull(row);
        ArgumentException.ThrowIfNullOrEmpty(row.Key, nameof(row));
        if (row.ImageBytes is null || row.ImageBytes.Length == 0)
            throw new ArgumentException($"Row {row.Key} has no image bytes (record it with AddFailure instead).", nameof(row));
        await _rows.AddAsync(row, row.ImageBytes.Length + 2L * ((row.Caption?.Length ?? 0) + (row.Url?.Length ?? 0) + (row.Extra?.Length ?? 0)) + 128, ct);
    }

    /// <summary>Records a sample that failed; written to the failures file at commit.</summary>
    public void AddFailure(FailureRow failure)
    {
        ObjectDisposedException.ThrowIf(_rows.Done, this);
        ArgumentNullException.ThrowIfNull(failure);
        _failures.Add(failure);
    }

    /// <summary>
    /// Finishes the file and commits the shard: stats and failures files first, then one atomic publish of the
    /// Parquet file, then the shard's commit object (put-if-absent). If the shard is already committed the commit
    /// is a no-op and returns the existing entry. A writer from
    /// <see cref="Dataset.CreateReplacementImageShardWriterAsync"/> instead commits the next version of the shard,
    /// but only while the newest version is the entry it replaces (else nothing changes and
    /// <see cref="ShardCommitResult.Replaced"/> is false).
    /// </summary>
    public async Task<ShardCommitResult> CommitAsync(CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_rows.Done, this);
        var kind = ShardNames.ImagesKind;
        var metadata = await _dataset.ReadMetadataAsync(ct);
        var existing = await _dataset.FindCommittedAsync(metadata, kind, ShardIndex, ct);
        if (_replacing is null ? existing is not null : !ShardCommitter.SameShard(existing, _replacing))
        {
            await DisposeAsync();   // already committed, or (replacing) the entry changed since the caller read it
            return new ShardCommitResult(existing ?? _replacing!, AlreadyCommitted: true);
        }
        await _rows.FlushAsync(ct);
        var (bytes, sha) = await _file.CloseAsync(ct);
        var failuresPath = $"{kind}/{_partName}.failures.parquet";
        var statsPath = $"{kind}/{_partName}.stats.json";
        var failuresByReason = _failures.GroupBy(f => f.Reason).OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (long)g.Count());
        var entry = new ShardEntry
        {
            Kind = kind, Index = ShardIndex, Path = $"{kind}/{_partName}.parquet", Rows = _file.Rows, Bytes = bytes,
            Sha256 = sha, RowGroups = _file.RowGroups, Failures = _failures.Count, FailuresByReason = failuresByReason,
            StatsPath = statsPath, FailuresPath = failuresPath, CommittedUtc = DateTimeOffset.UtcNow, InputFingerprint = InputFingerprint,
        };
        await FailureFile.WriteAsync(_dataset.Storage, _dataset.KeyOf(failuresPath), _failures, ct);
        var stats = new ShardStats
        {
            Kind = kind, Shard = ShardIndex, Rows = _file.Rows, Failures = _failures.Count,
            FailuresByReason = failuresByReason,
            InputRows = InputRows, Bytes = bytes, ConfigHash = metadata?.ConfigHash,
            StartedUtc = _started, FinishedUtc = DateTimeOffset.UtcNow,
            TimingsSeconds = new Dictionary<string, double>(TimingsSeconds) { ["writer_total"] = _clock.Elapsed.TotalSeconds },
            Counters = new Dictionary<string, long>(Counters),
        };
        await _dataset.Storage.WriteAsync(_dataset.KeyOf(statsPath), ShardJson.Serialize(stats), ct);
        var result = _replacing is null
            ? await ShardCommitter.PublishAndRegisterAsync(_dataset, metadata, _file, entry, generator: null, ct)
            : await ShardCommitter.PublishAndReplaceAsync(_dataset, _file, _replacing, entry, ct);
        await DisposeAsync();
        return result;
    }

    private async Task WriteColumnsAsync(global::Parquet.ParquetRowGroupWriter rg, IReadOnlyList<ImageRow> rows, CancellationToken ct)
    {
        var s = _schema;
        await ColumnIO.WriteStringsAsync(rg, s.Key, rows.Select(r => r.Key).ToArray());
        await _file.WriteBinaryColumnAsync(rg, s.ImageBytes, rows.Select(r => r.ImageBytes).ToArray());
        await ColumnIO.WriteStringsAsync(rg, s.ImagePath, rows.Select(r => r.ImagePath).ToArray());
        await ColumnIO.WriteStringsAsync(rg, s.Caption, rows.Select(r => r.Caption).ToArray());
        await ColumnIO.WriteStringListsAsync(rg, s.NounsElement, rows.Select(r => r.Nouns ?? []).ToArray(), ct);
        await ColumnIO.WriteStringListsAsync(rg, s.VerbsElement, rows.Select(r => r.Verbs ?? []).ToArray(), ct);
        await ColumnIO.WriteStringsAsync(rg, s.Url, rows.Select(r => r.Url).ToArray());
        await ColumnIO.WriteStringsAsync(rg, s.Source, rows.Select(r => r.Source).ToArray());
        await ColumnIO.WriteInt32Async(rg, s.Width, rows.Select(r => r.Width).ToArray(), ct);
        await ColumnIO.WriteInt32Async(rg, s.Height, rows.Select(r => r.Height).ToArray(), ct);
        await ColumnIO.WriteInt32Async(rg, s.OriginalWidth, rows.Select(r => r.OriginalWidth).ToArray(), ct);
        await ColumnIO.WriteInt32Async(rg, s.OriginalHeight, rows.Select(r => r.OriginalHeight).ToArray(), ct);
        await ColumnIO.WriteStringsAsync(rg, s.Sha256, rows.Select(r => r.Sha256).ToArray());
        await ColumnIO.WriteStringsAsync(rg, s.Extra, rows.Select(r => r.Extra).ToArray());
    }

    /// <summary>Aborts an uncommitted shard (nothing becomes visible); a no-op after commit.</summary>
    public ValueTask DisposeAsync() => _rows.DisposeAsync();
}
