using SSeg.Shards.Storage;

namespace SSeg.Shards;

/// <summary>
/// Entry point: the datasets under one storage root (<c>&lt;root&gt;/datasets/&lt;name&gt;/</c>).
/// <code>
/// var store = DatasetStore.Open("./data");                        // or "az://container/prefix"
/// var ds = await store.CreateOrOpenAsync("cc3m", source: "cc3m", configHash: "ab12...");
/// if (!await ds.IsCommittedAsync(42)) {
///     await using var w = await ds.CreateImageShardWriterAsync(42);
///     await w.AddAsync(row); w.AddFailure(failure);
///     await w.CommitAsync();                                      // atomic, idempotent
/// }
/// await using var r = await ds.OpenImageShardAsync(42);
/// await foreach (var row in r.ReadRowsAsync(ImageColumns.Key | ImageColumns.Caption)) { ... }
/// </code>
/// </summary>
public sealed class DatasetStore
{
    /// <summary>Wraps an opened storage root; <paramref name="clock"/> is the system clock unless a test sets one.</summary>
    public DatasetStore(IStorage storage, TimeProvider? clock = null)
    {
        Storage = storage;
        _clock = clock;
    }

    private readonly TimeProvider? _clock;

    /// <summary>Opens a root URI with <see cref="StorageFactory.Open"/>.</summary>
    public static DatasetStore Open(string rootUri, string? azureConnectionString = null) =>
        new(StorageFactory.Open(rootUri, azureConnectionString));

    /// <summary>The storage root.</summary>
    public IStorage Storage { get; }

    /// <summary>A handle on dataset <paramref name="name"/> (no I/O; it may not exist yet).</summary>
    public Dataset Dataset(string name) => new(Storage, ShardNames.ValidateName(name), _clock);

    /// <summary>Names of datasets that have a dataset.json, sorted. Lists the dataset folders only, never their shards.</summary>
    public async Task<IReadOnlyList<string>> ListDatasetsAsync(CancellationToken ct = default)
    {
        var names = new List<string>();
        foreach (var folder in await Storage.ListFoldersAsync(ShardNames.DatasetsFolder, ct))
        {
            try { ShardNames.ValidateName(folder); }
            catch (ArgumentException) { continue; }   // not a dataset folder this library made
            if (await Storage.GetInfoAsync(StorageKeys.Combine(ShardNames.DatasetsFolder, folder, ShardNames.ManifestFile), ct) is not null)
                names.Add(folder);
        }
        return names;
    }

    /// <summary>
    /// Creates the dataset's manifest if it does not exist; opens it otherwise. An existing dataset made with a
    /// different <paramref name="configHash"/> is an error (its shards would mix two configurations).
    /// </summary>
    /// <exception cref="InvalidOperationException">The dataset exists with another config hash.</exception>
    public async Task<Dataset> CreateOrOpenAsync(string name, string? source = null, string? configHash = null, CancellationToken ct = default)
    {
        var dataset = Dataset(name);
        await dataset.EnsureCreatedAsync(source, configHash, ct);
        return dataset;
    }
}
