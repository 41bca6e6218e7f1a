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
    /// Files <paramref name="entry"/> in the journal (<see cref="CommitJournal"/>), then creates its commit object (its
    /// <see cref="ShardEntry.Version"/>) unless that version exists. The line goes first so that no commit object is
    /// ever without one: a reader that meets the line before the object waits for it (<see cref="CommitJournal.AwaitFor"/>),
    /// and a writer that took longer than <see cref="CommitJournal.RefileAfter"/> from line to object files the line again.
    /// </summary>
    /// <returns>False when another writer created this version first.</returns>
    /// <exception cref="IOException">The journal line could not be filed: nothing was published, and committing again is safe.</exception>
    public async Task<bool> TryCreateAsync(string incarnation, ShardEntry entry, MaskGeneratorInfo? generator, CancellationToken ct)
    {
        var content = ShardJson.Serialize(new ShardCommitObject { Entry = entry, Generator = generator });
        var key = dataset.KeyOf(CommitKeys.CommitPath(incarnation, entry.Kind, entry.Index, entry.Version));
        // Before the line's minute is taken, so a line whose append was slow counts towards RefileAfter too.
        var started = dataset.Clock.GetTimestamp();
        try
        {
            await CommitJournal.WriteAsync(dataset, incarnation, entry, ct);
        }
        catch (Exception e) when (IsStorageFailure(e))
        {
            throw new IOException($"{entry.Kind} shard {entry.Index} (version {entry.Version}) of {Storage.RootUri}/{dataset.Prefix} was not committed: " +
                                  $"its journal line could not be filed ({e.GetType().Name}: {e.Message.Split('\n')[0]}). Nothing was published; " +
                                  "committing it again is safe.", e);
        }
        if (await Storage.TryWriteIfVersionAsync(key, content, expectedVersion: null, ct) is null) return false;
        if (dataset.Clock.GetElapsedTime(started) >= CommitJournal.RefileAfter) await RefileAsync(incarnation, entry);
        return true;
    }

    /// <summary>
    /// Files the line of a commit that was published more than <see cref="CommitJournal.RefileAfter"/> after its first
    /// line: readers that met that line may have stopped waiting for the object, and a new reader may start after it.
    /// </summary>
    private async Task RefileAsync(string incarnation, ShardEntry entry)
    {
        try
        {
            // Not cancelled with the commit: the shard is committed now, and this line is what readers find it by.
            await CommitJournal.WriteAsync(dataset, incarnation, entry, CancellationToken.None);
        }
        catch (Exception e) when (IsStorageFailure(e))
        {
            // Failing the commit here would report a committed shard as failed; the dataset's sweep finds it.
            JournalWarnings.Once(dataset, JournalWarnings.AppendRefused,
                $"{entry.Kind} shard {entry.Index} (version {entry.Version}) of {Storage.RootUri}/{dataset.Prefix} is committed, but it was " +
                $"published more than {CommitJournal.RefileAfter.TotalMinutes:F0} minutes after its journal line and filing the line again " +
                $"failed: {e.GetType().Name}: {e.Message.Split('\n')[0]}. Readers that stopped waiting for it see it at the dataset's next " +
                $"sweep (within {CommitJournal.SweepEvery.TotalMinutes:F0} minutes). Further journal failures of this dataset in this process " +
                "are not reported.");
        }
    }

    /// <summary>A failure of the store (I/O, permissions, a refused request), not of this code.</summary>
    private static bool IsStorageFailure(Exception e) => e is IOException or UnauthorizedAccessException or Azure.RequestFailedException;

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
