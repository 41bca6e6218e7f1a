using SSeg.Shards.Storage;

namespace SSeg.Shards.Commits;

/// <summary>
/// The per-shard commit objects of one dataset. Publishing a shard is one put-if-absent of a small object whose
/// name is the shard and its version, so its cost does not depend on how many shards the dataset has, and
/// committers of different shards never touch the same object (no compare-and-swap retries between them).
/// </summary>
/// <remarks>
/// Versions of one shard are created in order (version n+1 only by a writer that read version n), so the versions
/// present are always 1..n without gaps and the newest is found by probing names, with no listing.
/// </remarks>
internal sealed class CommitLog(Dataset dataset)
{
    /// <summary>
    /// Small log objects (commit objects, checkpoint segments) read, checked or written at once: enough to hide a
    /// Blob request's latency, few enough not to crowd a shared emulator or disk.
    /// </summary>
    public const int ParallelRequests = 16;

    private IStorage Storage => dataset.Storage;

    /// <summary>
    /// Creates the commit object of <paramref name="entry"/> (its <see cref="ShardEntry.Version"/>) unless that
    /// version exists, then files it in the journal (<see cref="CommitJournal"/>).
    /// </summary>
    /// <returns>False when another writer created this version first.</returns>
    public async Task<bool> TryCreateAsync(string incarnation, ShardEntry entry, MaskGeneratorInfo? generator, CancellationToken ct)
    {
        var content = ShardJson.Serialize(new ShardCommitObject { Entry = entry, Generator = generator });
        var key = dataset.KeyOf(CommitKeys.CommitPath(incarnation, entry.Kind, entry.Index, entry.Version));
        if (await Storage.TryWriteIfVersionAsync(key, content, expectedVersion: null, ct) is null) return false;
        try
        {
            // Not cancelled with the commit: the shard is committed now, and a complete journal keeps polls prompt.
            await CommitJournal.WriteAsync(dataset, incarnation, entry, CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Azure.RequestFailedException or PlatformNotSupportedException)
        {
            // The commit object is the truth and exists: a missing entry only delays when polling readers see this
            // shard, until the dataset's next sweep. Failing the commit here would report a committed shard as failed;
            // saying nothing would hide a store that takes no appends (Azurite's SQL metadata store answers 501).
            JournalWarnings.Once(dataset, JournalWarnings.AppendRefused,
                $"{entry.Kind} shard {entry.Index} (version {entry.Version}) of {Storage.RootUri}/{dataset.Prefix} is committed, but its journal " +
                $"line could not be appended: {e.GetType().Name}: {e.Message.Split('\n')[0]}. Polling readers see such commits at the " +
                $"dataset's next sweep (within {CommitJournal.SweepEvery.TotalMinutes:F0} minutes) instead of their next poll. Further " +
                "journal failures of this dataset in this process are not reported.");
        }
        return true;
    }

    /// <summary>The newest committed version of a shard (from its commit objects only), or null when it has none.</summary>
    public async Task<ShardCommitObject?> ReadLatestAsync(string incarnation, string kind, int index, CancellationToken ct)
    {
        var version = 0;
        while (await Storage.GetInfoAsync(dataset.KeyOf(CommitKeys.CommitPath(incarnation, kind, index, version + 1)), ct) is not null) version++;
        if (version == 0) return null;
        return await ReadAsync(incarnation, CommitKeys.CommitPath(incarnation, kind, index, version), ct);
    }

    /// <summary>Reads and checks one commit object (path relative to the dataset folder).</summary>
    /// <exception cref="InvalidDataException">Unreadable JSON, or an entry that does not match the object's name.</exception>
    public async Task<ShardCommitObject> ReadAsync(string incarnation, string path, CancellationToken ct)
    {
        var key = dataset.KeyOf(path);
        var content = await Storage.ReadVersionedAsync(key, ct)
            ?? throw new FileNotFoundException($"Commit object {Storage.RootUri}/{key} is gone (was the dataset deleted?).", key);
        var commit = ShardJson.Deserialize<ShardCommitObject>(content.Content, $"Commit object {Storage.RootUri}/{key}");
        if (commit.SchemaVersion > ShardCommitObject.CurrentSchemaVersion)
            throw new InvalidDataException($"Commit object {Storage.RootUri}/{key} has schema version {commit.SchemaVersion}; this build reads up to {ShardCommitObject.CurrentSchemaVersion}.");
        if (commit.Entry is null || CommitKeys.CommitPath(incarnation, commit.Entry.Kind, commit.Entry.Index, commit.Entry.Version) != path)
            throw new InvalidDataException($"Commit object {Storage.RootUri}/{key} describes another shard or version than its name.");
        return commit;
    }
}
