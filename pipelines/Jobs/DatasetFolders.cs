using SSeg.Shards;

namespace SSeg.Pipelines.Jobs;

/// <summary>Storage-level housekeeping the host does between builds.</summary>
public static class DatasetFolders
{
    /// <summary>Deletes a dataset: its manifest first (readers then see no dataset), then every file under it.</summary>
    public static async Task<int> DeleteAsync(string root, string? azureConnectionString, string dataset, CancellationToken ct)
    {
        var store = DatasetStore.Open(root, azureConnectionString);
        var prefix = store.Dataset(dataset).Prefix + "/";
        await store.Storage.DeleteAsync(prefix + ShardNames.ManifestFile, ct);
        var keys = new List<string>();
        await foreach (var item in store.Storage.ListAsync(prefix, ct)) keys.Add(item.Key);
        foreach (var key in keys) await store.Storage.DeleteAsync(key, ct);
        return keys.Count;
    }
}
