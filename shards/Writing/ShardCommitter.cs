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
