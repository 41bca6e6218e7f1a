using SSeg.Shards;

namespace SSeg.Train.Data;

/// <summary>
/// The trainer's pre-flight check: every image shard it would read, and its mask shard, checked the way
/// <c>shards verify</c> does (<see cref="DatasetVerifier.CheckShardAsync"/>: present, size as recorded, Parquet footer
/// and schema readable, row count as recorded, sidecars present). A bad shard found here costs seconds; found by the
/// stream it would stop a run hours in. The SHA-256 pass is left out: it reads every byte of the dataset before the
/// first step, and a truncated or replaced file already fails the size and footer checks.
/// </summary>
public static class InputShardCheck
{
    /// <summary>Failed checks of the image and mask shards the stream would read (empty when all are sound).</summary>
    public static async Task<IReadOnlyList<ShardCheck>> FindBadShardsAsync(Dataset dataset, string maskGenerator, CancellationToken ct = default)
    {
        // Both streams come by index, a block of entries at a time: a merge join pairs them without holding every entry.
        var bad = new List<ShardCheck>();
        await using var images = dataset.StreamShardsAsync(ShardNames.ImagesKind, 0, ct).GetAsyncEnumerator(ct);
        await using var masks = dataset.StreamShardsAsync(ShardNames.MasksKind(maskGenerator), 0, ct).GetAsyncEnumerator(ct);
        var moreImages = await images.MoveNextAsync();
        var moreMasks = await masks.MoveNextAsync();
        while (moreImages && moreMasks)
        {
            var (image, mask) = (images.Current, masks.Current);
            if (image.Index < mask.Index)
            {
                moreImages = await images.MoveNextAsync();
                continue;
            }
            if (mask.Index < image.Index)
            {
                moreMasks = await masks.MoveNextAsync();
                continue;
            }
            foreach (var entry in new[] { image, mask })
            {
                var check = await DatasetVerifier.CheckShardAsync(dataset, entry, checksums: false, ct);
                if (!check.Ok) bad.Add(check);
            }
            moreImages = await images.MoveNextAsync();
            moreMasks = await masks.MoveNextAsync();
        }
        return bad;
    }

    /// <summary>One line per bad shard: kind, index, file and problem.</summary>
    public static string Describe(IEnumerable<ShardCheck> bad) =>
        string.Join("; ", bad.Select(c => $"{c.Kind} shard {c.Index} ({c.Path}): {c.Problem}"));
}
