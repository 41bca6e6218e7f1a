using System.Runtime.CompilerServices;
using SSeg.Shards.Commits;
using SSeg.Shards.Parquet;
using SSeg.Shards.Storage;

namespace SSeg.Shards;

/// <summary>
/// One dataset folder <c>datasets/&lt;name&gt;/</c>: its metadata (dataset.json), commit log, shard writers,
/// readers and sidecar files. Only committed shards exist as far as readers are concerned. Thread-safe; cheap to create.
/// </summary>
public sealed class Dataset
{
    internal Dataset(IStorage storage, string name, TimeProvider? clock = null)
    {
        Storage = storage;
        Clock = clock ?? TimeProvider.System;
        Name = name;
        Prefix = StorageKeys.Combine(ShardNames.DatasetsFolder, name);
        Manifests = new ManifestStore(storage, KeyOf(ShardNames.ManifestFile));
        Commits = new CommitLog(this);
    }

    /// <summary>The storage root.</summary>
    public IStorage Storage { get; }

    /// <summary>
    /// The clock that files commits in the journal and tells a reader when it last polled (a settable one in tests
    /// of clock skew between hosts).
    /// </summary>
    public TimeProvider Clock { get; }

    /// <summary>How often one reader of a dataset lists every commit object name (the journal's sweep, <c>shards/README.md</c> step 5).</summary>
    public static TimeSpan SweepPeriod => CommitJournal.SweepEvery;

    /// <summary>Dataset name.</summary>
    public string Name { get; }

    /// <summary>Storage key of the dataset folder, <c>datasets/&lt;name&gt;</c>.</summary>
    public string Prefix { get; }

    internal ManifestStore Manifests { get; }

    internal CommitLog Commits { get; }

    /// <summary>Storage key of a path relative to the dataset folder (e.g. a <see cref="ShardEntry.Path"/>).</summary>
    public string KeyOf(string relativePath) => $"{Prefix}/{relativePath}";

    /// <summary>
    /// The dataset with every committed shard's whole entry, or null when the dataset does not exist. It polls like
    /// <see cref="ReadIndexAsync"/>, then reads every entry back, block by block (checkpoint segments, and the commit
    /// objects they do not cover), and holds them all: for tools and small datasets. Stages poll
    /// <see cref="ReadIndexAsync"/> and read whole entries with <see cref="FindCommittedAsync(string,int,CancellationToken)"/>
    /// or <see cref="StreamShardsAsync"/>.
    /// </summary>
    public async Task<DatasetManifest?> ReadManifestAsync(CancellationToken ct = default)
    {
        var metadata = await ReadMetadataAsync(ct);
        if (metadata is null) return null;
        var snapshot = await CommitLogReader.For(this).ReadAsync(this, metadata.CommitIncarnation, ct);
        // A schema-1 dataset.json's own shards (version 0) are merged in by the stream, under the commits that supersede them.
        return metadata with
        {
            Shards = await CommitLogStream.ReadAllAsync(this, metadata, snapshot, ct),
            Generators = MergedGenerators(metadata, snapshot),
            UpdatedUtc = Later(metadata.UpdatedUtc, snapshot.LatestCommitUtc),
        };
    }

    /// <summary>
    /// The dataset's metadata and the head of every committed shard (index, version, rows, bytes, failures), or null
    /// when the dataset does not exist. What barriers, counts and samplers poll: it costs what changed since this
    /// process last looked (<see cref="LastCommitLogRead"/>). Its heads take 32 bytes a shard, held in memory up to 1 MiB
    /// and in a local spill file beyond (<see cref="Commits.HeadsTable"/>), so a process's memory does not grow with the
    /// dataset. Whole entries:
    /// <see cref="FindCommittedAsync(string,int,CancellationToken)"/> for one shard, <see cref="StreamShardsAsync"/> for many.
    /// </summary>
    public async Task<DatasetIndex?> ReadIndexAsync(CancellationToken ct = default)
    {
        var metadata = await ReadMetadataAsync(ct);
        if (metadata is null) return null;
        var snapshot = await CommitLogReader.For(this).ReadAsync(this, metadata.CommitIncarnation, ct);
        var updated = Later(metadata.UpdatedUtc, snapshot.LatestCommitUtc);
        if (metadata.Shards.Count == 0 && metadata.Generators.Count == 0)
            return new DatasetIndex(metadata, snapshot.Heads, snapshot.Generators, updated);
        // A schema-1 dataset.json's shards are version 0: a committed head of the same shard replaces it.
        var heads = new Dictionary<string, HeadsTable>(snapshot.Heads, StringComparer.Ordinal);
        foreach (var group in metadata.Shards.GroupBy(s => s.Kind, StringComparer.Ordinal))
        {
            var byIndex = group.ToDictionary(s => s.Index, ShardHead.Of);
            foreach (var head in heads.GetValueOrDefault(group.Key) ?? HeadsTable.Empty) byIndex[head.Index] = head;
            heads[group.Key] = HeadsTable.Of(byIndex.Values.OrderBy(h => h.Index));
        }
        return new DatasetIndex(metadata, heads, MergedGenerators(metadata, snapshot), updated);
    }

    /// <summary><see cref="ReadIndexAsync"/>; throws a clear error when the dataset does not exist.</summary>
    public async Task<DatasetIndex> GetIndexAsync(CancellationToken ct = default) =>
        await ReadIndexAsync(ct) ?? throw new InvalidOperationException($"Dataset '{Name}' does not exist under {Storage.RootUri}.");

    private static Dictionary<string, MaskGeneratorInfo> MergedGenerators(DatasetManifest metadata, CommitLogSnapshot snapshot)
    {
        var all = new Dictionary<string, MaskGeneratorInfo>(metadata.Generators);
        foreach (var (id, generator) in snapshot.Generators) all.TryAdd(id, generator);
        return all;
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>
    /// The committed shards of <paramref name="kind"/> (of every kind when null), by kind then index, from
    /// <paramref name="fromIndex"/> on. Unlike <see cref="ReadManifestAsync"/>, which returns every entry at once, this
    /// reads them one block of shards at a time, so what it holds beyond the process's heads is one block (views of a
    /// dataset: listings, totals, pages; passes over many shards). Throws when the dataset does not exist.
    /// </summary>
    public IAsyncEnumerable<ShardEntry> StreamShardsAsync(string? kind = null, int fromIndex = 0, CancellationToken ct = default) =>
        CommitLogStream.ReadAsync(this, kind, fromIndex, ct);

    /// <summary>The dataset's totals, streamed like <see cref="StreamShardsAsync"/>; null when the dataset does not exist.</summary>
    public Task<DatasetSummary?> SummarizeAsync(CancellationToken ct = default) => CommitLogStream.SummarizeAsync(this, ct);

    /// <summary>What the last poll of this dataset's commit log in this process cost (objects listed and fetched): <see cref="ReadIndexAsync"/>, <see cref="ReadManifestAsync"/> and the streams poll.</summary>
    public CommitLogRead? LastCommitLogRead => CommitLogReader.For(this).LastRead;

    /// <summary>dataset.json alone (metadata; a schema-1 file also lists its shards), or null when the dataset does not exist.</summary>
    internal async Task<DatasetManifest?> ReadMetadataAsync(CancellationToken ct = default) => (await Manifests.ReadAsync(ct)).Manifest;

    /// <summary>dataset.json alone; throws a clear error when the dataset does not exist.</summary>
    internal async Task<DatasetManifest> GetManifestMetadataAsync(CancellationToken ct = default) =>
        await ReadMetadataAsync(ct) ?? throw new InvalidOperationException($"Dataset '{Name}' does not exist under {Storage.RootUri}.");

    /// <summary>
    /// The committed entry of one shard, or null: its newest commit object (found by name, no listing), else its
    /// entry in a schema-1 dataset.json. Costs the same whatever the number of shards.
    /// </summary>
    public async Task<ShardEntry?> FindCommittedAsync(string kind, int shardIndex, CancellationToken ct = default) =>
        await FindCommittedAsync(await ReadMetadataAsync(ct), kind, shardIndex, ct);

    /// <summary><see cref="FindCommittedAsync(string,int,CancellationToken)"/> with dataset.json already read.</summary>
    internal async Task<ShardEntry?> FindCommittedAsync(DatasetManifest? metadata, string kind, int shardIndex, CancellationToken ct)
    {
        if (metadata is null) return null;
        var commit = await Commits.ReadLatestAsync(metadata.CommitIncarnation, kind, shardIndex, ct);
        if (commit is not null) return commit.Entry;
        return metadata.Shards.Count == 0 ? null : metadata.Find(kind, shardIndex);
    }

    /// <summary>The manifest; throws a clear error when the dataset does not exist.</summary>
    public async Task<DatasetManifest> GetManifestAsync(CancellationToken ct = default) =>
        await ReadManifestAsync(ct) ?? throw new InvalidOperationException($"Dataset '{Name}' does not exist under {Storage.RootUri}.");

    internal DatasetManifest NewManifest(string? source, string? configHash)
    {
        var now = DateTimeOffset.UtcNow;
        return new DatasetManifest
        {
            Name = Name, Source = source, ConfigHash = configHash, CreatedUtc = now, UpdatedUtc = now,
            Incarnation = Guid.NewGuid().ToString("N")[..12],
        };
    }

    /// <summary>Creates the manifest if absent; fills a missing source/config hash; rejects a different config hash.</summary>
    public async Task<DatasetManifest> EnsureCreatedAsync(string? source = null, string? configHash = null, CancellationToken ct = default)
    {
        var result = await Manifests.UpdateAsync(current =>
        {
            if (current is null) return NewManifest(source, configHash);
            if (configHash is not null && current.ConfigHash is not null && current.ConfigHash != configHash)
                throw new InvalidOperationException(
                    $"Dataset '{Name}' under {Storage.RootUri} was made with config hash {current.ConfigHash}, not {configHash}. " +
                    "Use a new dataset name for a new configuration.");
            if ((current.Source is null && source is not null) || (current.ConfigHash is null && configHash is not null))
                return current with { Source = current.Source ?? source, ConfigHash = current.ConfigHash ?? configHash };
            return current;
        }, ct);
        return result!;
    }

    /// <summary>True when image shard <paramref name="shardIndex"/> is committed (skip it: jobs are idempotent).</summary>
    public Task<bool> IsCommittedAsync(int shardIndex, CancellationToken ct = default) =>
        IsCommittedAsync(ShardNames.ImagesKind, shardIndex, ct);

    /// <summary>True when the mask shard of <paramref name="generatorId"/> for <paramref name="shardIndex"/> is committed.</summary>
    public Task<bool> IsMaskCommittedAsync(string generatorId, int shardIndex, CancellationToken ct = default) =>
        IsCommittedAsync(ShardNames.MasksKind(generatorId), shardIndex, ct);

    /// <summary>True when the manifest lists a shard of <paramref name="kind"/> with <paramref name="shardIndex"/>.</summary>
    public async Task<bool> IsCommittedAsync(string kind, int shardIndex, CancellationToken ct = default) =>
        await FindCommittedAsync(kind, shardIndex, ct) is not null;

    /// <summary>Starts writing image shard <paramref name="shardIndex"/> (staged; invisible until commit).</summary>
    public async Task<ImageShardWriter> CreateImageShardWriterAsync(int shardIndex, ShardWriterOptions? options = null, CancellationToken ct = default)
    {
        options ??= ShardWriterOptions.Default;
        var schema = new ImageShardSchema();
        var key = KeyOf(ShardNames.DataPath(ShardNames.ImagesKind, shardIndex));
        var file = await Writing.StagedParquetFile.CreateAsync(Storage, key, schema.Schema, null, options.TextCompression, ct);
        return new ImageShardWriter(this, shardIndex, file, schema, options);
    }

    /// <summary>
    /// Starts a writer whose commit replaces committed image shard <paramref name="current"/> (for example
    /// --retry-failed merging recovered rows): the new files get new names
    /// (<c>part-00042.r&lt;unix-ms&gt;-&lt;random&gt;.parquet</c> and sidecars, unique even for writers started in the same
    /// millisecond), the manifest entry is swapped by compare-and-swap
    /// only if it still is <paramref name="current"/>, and the replaced files are deleted afterwards.
    /// </summary>
    public async Task<ImageShardWriter> CreateReplacementImageShardWriterAsync(ShardEntry current, ShardWriterOptions? options = null, CancellationToken ct = default)
    {
        if (current.Kind != ShardNames.ImagesKind) throw new ArgumentException($"{current.Path} is not an image shard.", nameof(current));
        options ??= ShardWriterOptions.Default;
        var schema = new ImageShardSchema();
        var partName = $"{ShardNames.PartName(current.Index)}.r{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}-{Guid.NewGuid().ToString("N")[..8]}";
        var key = KeyOf($"{ShardNames.ImagesKind}/{partName}.parquet");
        var file = await Writing.StagedParquetFile.CreateAsync(Storage, key, schema.Schema, null, options.TextCompression, ct);
        return new ImageShardWriter(this, current.Index, file, schema, options, current, partName);
    }

    /// <summary>Starts writing the mask shard of <paramref name="generator"/> for image shard <paramref name="shardIndex"/>.</summary>
    public async Task<MaskShardWriter> CreateMaskShardWriterAsync(MaskGeneratorInfo generator, int shardIndex, ShardWriterOptions? options = null, CancellationToken ct = default)
    {
        options ??= ShardWriterOptions.Default;
        var schema = new MaskShardSchema();
        var key = KeyOf(ShardNames.DataPath(ShardNames.MasksKind(generator.Id), shardIndex));
        var file = await Writing.StagedParquetFile.CreateAsync(Storage, key, schema.Schema, MaskShardWriter.MetadataOf(generator), options.TextCompression, ct);
        return new MaskShardWriter(this, generator, shardIndex, file, schema, options);
    }

    /// <summary>
    /// Starts a writer whose commit replaces committed mask shard <paramref name="current"/> (its image shard was
    /// rebuilt), under a new file name, with the same compare-and-swap as
    /// <see cref="CreateReplacementImageShardWriterAsync"/>.
    /// </summary>
    public async Task<MaskShardWriter> CreateReplacementMaskShardWriterAsync(MaskGeneratorInfo generator, ShardEntry current, ShardWriterOptions? options = null, CancellationToken ct = default)
    {
        var kind = ShardNames.MasksKind(generator.Id);
        if (current.Kind != kind) throw new ArgumentException($"{current.Path} is not a mask shard of {generator.Id}.", nameof(current));
        options ??= ShardWriterOptions.Default;
        var schema = new MaskShardSchema();
        var path = $"{kind}/{ShardNames.PartName(current.Index)}.r{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}-{Guid.NewGuid().ToString("N")[..8]}.parquet";
        var file = await Writing.StagedParquetFile.CreateAsync(Storage, KeyOf(path), schema.Schema, MaskShardWriter.MetadataOf(generator), options.TextCompression, ct);
        return new MaskShardWriter(this, generator, current.Index, file, schema, options, current, path);
    }

    /// <summary>Opens committed image shard <paramref name="shardIndex"/>.</summary>
    /// <exception cref="InvalidOperationException">The shard is not committed.</exception>
    /// <exception cref="UnreadableShardException">The file cannot be opened as Parquet (e.g. truncated); the reader's
    /// row group reads throw it too, naming the row group, when one is damaged.</exception>
    public async Task<ImageShardReader> OpenImageShardAsync(int shardIndex, CancellationToken ct = default)
    {
        var entry = await RequireEntryAsync(ShardNames.ImagesKind, shardIndex, ct);
        return await OpenOrExplainAsync(entry, () => ImageShardReader.OpenAsync(Storage, KeyOf(entry.Path), ct));
    }

    /// <summary>Opens the committed mask shard of <paramref name="generatorId"/> for <paramref name="shardIndex"/>.</summary>
    /// <exception cref="InvalidOperationException">The shard is not committed.</exception>
    /// <exception cref="UnreadableShardException">The file cannot be opened as Parquet (e.g. truncated); the reader's
    /// row group reads throw it too, naming the row group, when one is damaged.</exception>
    public async Task<MaskShardReader> OpenMaskShardAsync(string generatorId, int shardIndex, CancellationToken ct = default)
    {
        var entry = await RequireEntryAsync(ShardNames.MasksKind(generatorId), shardIndex, ct);
        return await OpenOrExplainAsync(entry, () => MaskShardReader.OpenAsync(Storage, KeyOf(entry.Path), ct));
    }

    // A reader's own error (a Parquet footer exception) does not say which shard of which stage failed; the
    // stages report bad shards by index and file, so the open failure is rethrown with both.
    private static async Task<T> OpenOrExplainAsync<T>(ShardEntry entry, Func<Task<T>> open) where T : ShardReader
    {
        try
        {
            var reader = await open();
            reader.Entry = entry;
            return reader;
        }
        catch (Exception e) when (e is not OperationCanceledException and not UnreadableShardException)
        {
            throw new UnreadableShardException(entry.Kind, entry.Index, entry.Path, UnreadableShardException.Describe(e), e);
        }
    }

    /// <summary>Streams the rows of every committed image shard, by shard index.</summary>
    public async IAsyncEnumerable<ImageRow> ReadImagesAsync(ImageColumns columns = ImageColumns.All, [EnumeratorCancellation] CancellationToken ct = default)
    {
        if (await ReadMetadataAsync(ct) is null) yield break;
        await foreach (var entry in StreamShardsAsync(ShardNames.ImagesKind, 0, ct))
        {
            await using var reader = await ImageShardReader.OpenAsync(Storage, KeyOf(entry.Path), ct);
            await foreach (var row in reader.ReadRowsAsync(columns, ct))
                yield return row;
        }
    }

    /// <summary>The failures recorded with committed image shard <paramref name="shardIndex"/>.</summary>
    public async Task<IReadOnlyList<FailureRow>> ReadFailuresAsync(int shardIndex, CancellationToken ct = default)
    {
        var entry = await RequireEntryAsync(ShardNames.ImagesKind, shardIndex, ct);
        return entry.FailuresPath is null ? [] : await FailureFile.ReadAsync(Storage, KeyOf(entry.FailuresPath), ct);
    }

    /// <summary>The stats file of committed image shard <paramref name="shardIndex"/>, or null when it has none.</summary>
    public async Task<ShardStats?> ReadStatsAsync(int shardIndex, CancellationToken ct = default)
    {
        var entry = await RequireEntryAsync(ShardNames.ImagesKind, shardIndex, ct);
        if (entry.StatsPath is null) return null;
        var content = await Storage.ReadVersionedAsync(KeyOf(entry.StatsPath), ct);
        return content is null ? null : ShardJson.Deserialize<ShardStats>(content.Content, $"{Storage.RootUri}/{KeyOf(entry.StatsPath)}");
    }

    /// <summary>Checks every listed shard; see <see cref="DatasetVerifier"/>. Never throws for bad files.</summary>
    public Task<VerifyReport> VerifyAsync(bool checksums = true, IProgress<ShardCheck>? progress = null, CancellationToken ct = default) =>
        DatasetVerifier.VerifyAsync(this, checksums, progress, ct);

    private async Task<ShardEntry> RequireEntryAsync(string kind, int shardIndex, CancellationToken ct)
    {
        var entry = await FindCommittedAsync(kind, shardIndex, ct);
        if (entry is not null) return entry;
        _ = await ReadMetadataAsync(ct) ?? throw new InvalidOperationException($"Dataset '{Name}' does not exist under {Storage.RootUri}.");
        throw new InvalidOperationException($"Dataset '{Name}' has no committed {kind} shard {ShardNames.PartName(shardIndex)}.");
    }
}
