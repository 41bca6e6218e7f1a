using SSeg.Shards.Storage;

namespace SSeg.Shards;

/// <summary>Reads and updates one dataset.json (metadata; rarely written) with compare-and-swap and retry.</summary>
internal sealed class ManifestStore(IStorage storage, string key)
{
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(5);

    public async Task<(DatasetManifest? Manifest, string? Version)> ReadAsync(CancellationToken ct)
    {
        var content = await storage.ReadVersionedAsync(key, ct);
        if (content is null) return (null, null);
        var manifest = ShardJson.Deserialize<DatasetManifest>(content.Content, $"Manifest {storage.RootUri}/{key}");
        if (manifest.SchemaVersion > DatasetManifest.CurrentSchemaVersion)
            throw new InvalidDataException(
                $"Manifest {storage.RootUri}/{key} has schema version {manifest.SchemaVersion}; this build reads up to {DatasetManifest.CurrentSchemaVersion}.");
        return (manifest, content.Version);
    }

    /// <summary>
    /// Applies <paramref name="mutate"/> to the current manifest (null when absent) and writes the result only
    /// if nobody changed the manifest in between; on conflict re-reads and re-applies. <paramref name="mutate"/>
    /// returns the same instance (or null) for "no change", which writes nothing.
    /// </summary>
    public async Task<DatasetManifest?> UpdateAsync(Func<DatasetManifest?, DatasetManifest?> mutate, CancellationToken ct)
    {
        var started = DateTime.UtcNow;
        var delayMs = 5;
        for (var attempt = 1; ; attempt++)
        {
            var (current, version) = await ReadAsync(ct);
            var updated = mutate(current);
            if (updated is null || ReferenceEquals(updated, current)) return current;
            updated = updated with { UpdatedUtc = DateTimeOffset.UtcNow };
            if (await storage.TryWriteIfVersionAsync(key, ShardJson.Serialize(updated), version, ct) is not null)
                return updated;
            if (DateTime.UtcNow - started > GiveUpAfter)
                throw new TimeoutException($"Could not update {storage.RootUri}/{key} after {attempt} attempts: too much contention.");
            await Task.Delay(Random.Shared.Next(delayMs, delayMs * 3), ct);
            delayMs = Math.Min(delayMs * 2, 500);
        }
    }
}
