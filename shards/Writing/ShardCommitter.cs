namespace SSeg.Shards;

/// <summary>The last two steps of the commit protocol: atomic publish, then the manifest entry.</summary>
internal static class ShardCommitter
{
    public static async Task<ShardCommitResult> PublishAndRegisterAsync(Dataset dataset, Writing.StagedParquetFile file,
        ShardEntry entry, MaskGeneratorInfo? generator, CancellationToken ct)
    {
        await file.PublishAsync(ct);
        ShardEntry? winner = null;
        await dataset.Manifests.UpdateAsync(current =>
        {
            winner = current?.Find(entry.Kind, entry.Index);
            if (winner is not null) return current;   // someone committed this shard first: no-op
            var manifest = current ?? dataset.NewManifest(source: null, configHash: null);
            var generators = new Dictionary<string, MaskGeneratorInfo>(manifest.Generators);
            if (generator is not null) generators.TryAdd(generator.Id, generator);
            return manifest with
            {
                Shards = manifest.Shards.Append(entry).OrderBy(s => s.Kind, StringComparer.Ordinal).ThenBy(s => s.Index).ToList(),
                Generators = generators,
            };
        }, ct);
        if (winner is null) return new ShardCommitResult(entry, AlreadyCommitted: false);
        if (winner.Sha256 != entry.Sha256) await ReconcileDuplicateAsync(dataset, winner, entry, ct);
        return new ShardCommitResult((await dataset.ReadManifestAsync(ct))?.Find(entry.Kind, entry.Index) ?? winner, AlreadyCommitted: true);
    }

    /// <summary>The same committed file: same path and checksum.</summary>
    public static bool SameShard(ShardEntry? a, ShardEntry? b) => a is not null && b is not null && a.Path == b.Path && a.Sha256 == b.Sha256;

    /// <summary>
    /// Replacement commit: publish the new files (under new names), swap the manifest entry by compare-and-swap
    /// only while it still lists <paramref name="replacing"/>, then delete the replaced files. A lost race or a
    /// crash leaves the old shard listed and at most unlisted files.
    /// </summary>
    public static async Task<ShardCommitResult> PublishAndReplaceAsync(Dataset dataset, Writing.StagedParquetFile file,
        ShardEntry replacing, ShardEntry entry, CancellationToken ct)
    {
        await file.PublishAsync(ct);
        var swapped = false;
        var manifest = await dataset.Manifests.UpdateAsync(current =>
        {
            var listed = current?.Find(entry.Kind, entry.Index);
            swapped = current is not null && SameShard(listed, replacing);
            if (!swapped) return current;
            return current! with { Shards = current.Shards.Select(s => ReferenceEquals(s, listed) ? entry : s).ToList() };
        }, ct);
        var (keep, drop) = swapped ? (entry, replacing) : (manifest?.Find(entry.Kind, entry.Index) ?? replacing, entry);
        foreach (var path in new[] { drop.Path, drop.StatsPath, drop.FailuresPath })
            if (path is not null && path != keep.Path && path != keep.StatsPath && path != keep.FailuresPath)
                await dataset.Storage.DeleteAsync(dataset.KeyOf(path), ct);
        return new ShardCommitResult(keep, AlreadyCommitted: !swapped) { Replaced = swapped };
    }

    /// <summary>
    /// Two writers of the same shard raced: both published (last rename wins), one registered. Make the
    /// manifest entry describe the bytes actually stored (the rows are the same input slice either way).
    /// </summary>
    private static async Task ReconcileDuplicateAsync(Dataset dataset, ShardEntry registered, ShardEntry ours, CancellationToken ct)
    {
        var stored = await ShardChecksum.ComputeAsync(dataset.Storage, dataset.KeyOf(ours.Path), ct);
        if (stored != ours.Sha256) return;   // the registered writer's bytes are in place: nothing to do
        await dataset.Manifests.UpdateAsync(current =>
        {
            var listed = current?.Find(ours.Kind, ours.Index);
            if (current is null || listed is null || listed.Sha256 == ours.Sha256) return current;
            return current with { Shards = current.Shards.Select(s => ReferenceEquals(s, listed) ? ours : s).ToList() };
        }, ct);
    }
}
