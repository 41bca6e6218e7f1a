using SSeg.Shards.Parquet;

namespace SSeg.Shards;

/// <summary>
/// Streams <see cref="MaskRow"/>s into <c>masks/&lt;generator-id&gt;/part-NNNNN.parquet</c>, with the generator
/// described in the file's key-value metadata, and commits it atomically like <see cref="ImageShardWriter"/>.
/// Get one from <see cref="Dataset.CreateMaskShardWriterAsync"/>. Single producer; dispose without commit aborts.
/// Write masks in the row order of their image shard so readers can zip the two shards; the keys allow a join otherwise.
/// </summary>
public sealed class MaskShardWriter : IAsyncDisposable
{
    /// <summary>Parquet key-value metadata key holding the generator as JSON.</summary>
    public const string GeneratorMetadataKey = "sseg.generator";

    private readonly Dataset _dataset;
    private readonly Writing.StagedParquetFile _file;
    private readonly MaskShardSchema _schema;
    private readonly Writing.RowGroupBuffer<MaskRow> _rows;
    private readonly ShardEntry? _replacing;
    private readonly string? _path;

    internal MaskShardWriter(Dataset dataset, MaskGeneratorInfo generator, int shardIndex, Writing.StagedParquetFile file,
        MaskShardSchema schema, ShardWriterOptions options, ShardEntry? replacing = null, string? path = null)
    {
        _dataset = dataset;
        _replacing = replacing;
        _path = path;
        Generator = generator;
        ShardIndex = shardIndex;
        _file = file;
        _schema = schema;
        _rows = new Writing.RowGroupBuffer<MaskRow>(file, options, WriteColumnsAsync);
    }

    /// <summary>The generator these masks come from.</summary>
    public MaskGeneratorInfo Generator { get; }

    /// <summary>The image shard index these masks belong to.</summary>
    public int ShardIndex { get; }

    /// <summary>Rows added so far.</summary>
    public long RowCount => _rows.RowCount;

    /// <summary>What the masks are made from (the image shard's content and the generator settings), recorded in the
    /// commit object so a rebuild can tell an unchanged mask shard; null when not known.</summary>
    public string? InputFingerprint { get; set; }

    /// <summary>Key-value metadata written into every mask shard of <paramref name="generator"/>.</summary>
    public static Dictionary<string, string> MetadataOf(MaskGeneratorInfo generator)
    {
        var metadata = new Dictionary<string, string>
        {
            [GeneratorMetadataKey] = System.Text.Encoding.UTF8.GetString(ShardJson.Serialize(generator)),
            ["sseg.generator.id"] = generator.Id,
            ["sseg.generator.model"] = generator.Model,
            ["sseg.generator.checkpoint_hash"] = generator.CheckpointHash,
            ["sseg.generator.feature"] = generator.Feature,
            ["sseg.generator.k"] = generator.K.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["sseg.generator.seed"] = generator.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return metadata;
    }

    /// <summary>Adds a row; writes a row group when the buffered rows reach the configured size.</summary>
    public async Task AddAsync(MaskRow row, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_rows.Done, this);
        ArgumentNullException.ThrowIfNull(row);
        ArgumentException.ThrowIfNullOrEmpty(row.Key, nameof(row));
        if (row.MaskPng is null || row.MaskPng.Length == 0) throw new ArgumentException($"Mask row {row.Key} has no PNG bytes.", nameof(row));
        await _rows.AddAsync(row, row.MaskPng.Length + 2L * row.Key.Length + 32, ct);
    }

    /// <summary>Finishes and commits the shard (one atomic publish, then its commit object). Idempotent: a shard
    /// already committed is left as it is. A writer from <see cref="Dataset.CreateReplacementMaskShardWriterAsync"/>
    /// commits the next version instead, only while the newest version is the entry it replaces.</summary>
    public async Task<ShardCommitResult> CommitAsync(CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_rows.Done, this);
        var kind = ShardNames.MasksKind(Generator.Id);
        var metadata = await _dataset.ReadMetadataAsync(ct);
        var existing = await _dataset.FindCommittedAsync(metadata, kind, ShardIndex, ct);
        if (_replacing is null ? existing is not null : !ShardCommitter.SameShard(existing, _replacing))
        {
            await DisposeAsync();   // already committed, or (replacing) the entry changed since the caller read it
            return new ShardCommitResult(existing ?? _replacing!, AlreadyCommitted: true);
        }
        await _rows.FlushAsync(ct);
        var (bytes, sha) = await _file.CloseAsync(ct);
        var entry = new ShardEntry
        {
            Kind = kind, Index = ShardIndex, Path = _path ?? ShardNames.DataPath(kind, ShardIndex), Rows = _file.Rows, Bytes = bytes,
            Sha256 = sha, RowGroups = _file.RowGroups, CommittedUtc = DateTimeOffset.UtcNow, InputFingerprint = InputFingerprint,
        };
        var result = _replacing is null
            ? await ShardCommitter.PublishAndRegisterAsync(_dataset, metadata, _file, entry, Generator, ct)
            : await ShardCommitter.PublishAndReplaceAsync(_dataset, _file, _replacing, entry, ct);
        await DisposeAsync();
        return result;
    }

    private async Task WriteColumnsAsync(global::Parquet.ParquetRowGroupWriter rg, IReadOnlyList<MaskRow> rows, CancellationToken ct)
    {
        var s = _schema;
        await ColumnIO.WriteStringsAsync(rg, s.Key, rows.Select(r => r.Key).ToArray());
        await _file.WriteBinaryColumnAsync(rg, s.Mask, rows.Select(r => r.MaskPng).ToArray());
        await ColumnIO.WriteInt32Async(rg, s.Height, rows.Select(r => r.Height).ToArray(), ct);
        await ColumnIO.WriteInt32Async(rg, s.Width, rows.Select(r => r.Width).ToArray(), ct);
        await ColumnIO.WriteInt32Async(rg, s.Segments, rows.Select(r => r.Segments).ToArray(), ct);
    }

    /// <summary>Aborts an uncommitted shard (nothing becomes visible); a no-op after commit.</summary>
    public ValueTask DisposeAsync() => _rows.DisposeAsync();
}
