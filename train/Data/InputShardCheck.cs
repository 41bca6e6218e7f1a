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
        var manifest = await dataset.GetManifestAsync(ct);
        var masks = manifest.ShardsOf(ShardNames.MasksKind(maskGenerator)).ToDictionary(s => s.Index);
        var bad = new List<ShardCheck>();
        foreach (var image in manifest.ImageShards.Where(s => masks.ContainsKey(s.Index)))
            foreach (var entry in new[] { image, masks[image.Index] })
            {
                var check = await DatasetVerifier.CheckShardAsync(dataset, entry, checksums: false, ct);
                if (!check.Ok) bad.Add(check);
            }
        return bad;
    }

    /// <summary>One line per bad shard: kind, index, file and problem.</summary>
    public static string Describe(IEnumerable<ShardCheck> bad) =>
        string.Join("; ", bad.Select(c => $"{c.Kind} shard {c.Index} ({c.Path}): {c.Problem}"));
}
