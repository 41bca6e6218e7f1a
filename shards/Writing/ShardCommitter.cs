namespace SSeg.Shards;

/// <summary>The last steps of the commit protocol: atomic publish of the files, then the shard's commit object.</summary>
internal static class ShardCommitter
{
    /// <summary>
    /// First commit of a shard: publish, make sure dataset.json exists, then create commit object version 1 with
    /// put-if-absent. Of several writers of one shard exactly one creates it; the others get
    /// <see cref="ShardCommitResult.AlreadyCommitted"/> with the winner's entry.
    /// </summary>
    public static async Task<ShardCommitResult> PublishAndRegisterAsync(Dataset dataset, DatasetManifest? metadata, Writing.StagedParquetFile file,
        ShardEntry entry, MaskGeneratorInfo? generator, CancellationToken ct)
    {
        await file.PublishAsync(ct);
        var incarnation = (metadata ?? await dataset.EnsureCreatedAsync(ct: ct)).CommitIncarnation;
        var ours = entry with { Version = 1 };
        if (await dataset.Commits.TryCreateAsync(incarnation, ours, generator, ct)) return new ShardCommitResult(ours, AlreadyCommitted: false);
        var winner = (await dataset.Commits.ReadLatestAsync(incarnation, entry.Kind, entry.Index, ct))!.Entry;
        if (winner.Sha256 != ours.Sha256 && winner.Path == ours.Path) winner = await ReconcileDuplicateAsync(dataset, incarnation, winner, ours, generator, ct);
        return new ShardCommitResult(winner, AlreadyCommitted: true);
    }

    /// <summary>The same committed file: same path and checksum.</summary>
    public static bool SameShard(ShardEntry? a, ShardEntry? b) => a is not null && b is not null && a.Path == b.Path && a.Sha256 == b.Sha256;

    /// <summary>
    /// Replacement commit: publish the new files (under new names), then create the commit object of the next
    /// version after <paramref name="replacing"/>'s with put-if-absent; only one replacement of a version can
    /// win, and the newest version is the shard. The winner deletes the replaced files; a loser deletes its own.
    /// A crash leaves the old shard committed and at most files no commit object names.
    /// </summary>
    public static async Task<ShardCommitResult> PublishAndReplaceAsync(Dataset dataset, Writing.StagedParquetFile file,
        ShardEntry replacing, ShardEntry entry, CancellationToken ct)
    {
        await file.PublishAsync(ct);
        var incarnation = (await dataset.GetManifestMetadataAsync(ct)).CommitIncarnation;
        var ours = entry with { Version = replacing.Version + 1 };
        var swapped = await dataset.Commits.TryCreateAsync(incarnation, ours, generator: null, ct);
        var (keep, drop) = swapped
            ? (ours, replacing)
            : ((await dataset.FindCommittedAsync(entry.Kind, entry.Index, ct)) ?? replacing, ours);
        foreach (var path in new[] { drop.Path, drop.StatsPath, drop.FailuresPath })
            if (path is not null && path != keep.Path && path != keep.StatsPath && path != keep.FailuresPath)
                await dataset.Storage.DeleteAsync(dataset.KeyOf(path), ct);
        return new ShardCommitResult(keep, AlreadyCommitted: !swapped) { Replaced = swapped };
    }

    /// <summary>
    /// Two writers of the same shard raced: both published to the same name (the last rename wins), one created
    /// the commit object. When the bytes in place are ours, the committed entry describes bytes that are gone, so
    /// commit our entry as the next version (the rows are the same input slice either way).
    /// </summary>
    private static async Task<ShardEntry> ReconcileDuplicateAsync(Dataset dataset, string incarnation, ShardEntry committed, ShardEntry ours,
        MaskGeneratorInfo? generator, CancellationToken ct)
    {
        while (true)
        {
            string stored;
            try
            {
                stored = await ShardChecksum.ComputeAsync(dataset.Storage, dataset.KeyOf(ours.Path), ct);
            }
            catch (Azure.RequestFailedException e) when (e.Status == 412)
            {
                continue;   // Blob Storage: another writer published the file while we read it; read it again
            }
            if (stored != ours.Sha256 || committed.Sha256 == ours.Sha256) return committed;
            var next = ours with { Version = committed.Version + 1 };
            if (await dataset.Commits.TryCreateAsync(incarnation, next, generator, ct)) return next;
            committed = (await dataset.Commits.ReadLatestAsync(incarnation, ours.Kind, ours.Index, ct))!.Entry;
        }
    }
}
