namespace SSeg.Shards;

/// <summary>Totals of one dataset, from its manifest alone (cheap).</summary>
public sealed record DatasetSummary(
    string Name,
    string? Source,
    string? ConfigHash,
    int ImageShards,
    long Rows,
    long Bytes,
    long Failures,
    IReadOnlyDictionary<string, long> FailuresByReason,
    IReadOnlyDictionary<string, int> MaskShardsByGenerator,
    DateTimeOffset UpdatedUtc);

/// <summary>A sample for display: the image row and, when a mask generator has covered its shard, its mask.</summary>
public sealed record SampleRow(int Shard, ImageRow Image, MaskRow? Mask, string? GeneratorId);

/// <summary>
/// Read-only views of the datasets under a root, for the CLI and the dashboard: summaries, shard lists,
/// failure-reason totals and sample rows with their masks.
/// </summary>
public sealed class DatasetInspector(DatasetStore store)
{
    /// <summary>The store inspected.</summary>
    public DatasetStore Store { get; } = store;

    /// <summary>Summaries of every dataset under the root, by name.</summary>
    public async Task<IReadOnlyList<DatasetSummary>> ListAsync(CancellationToken ct = default)
    {
        var result = new List<DatasetSummary>();
        foreach (var name in await Store.ListDatasetsAsync(ct))
            if (await Store.Dataset(name).ReadManifestAsync(ct) is { } manifest)
                result.Add(Summarize(manifest));
        return result;
    }

    /// <summary>Summary of one dataset; throws a clear error when it does not exist.</summary>
    public async Task<DatasetSummary> SummarizeAsync(string dataset, CancellationToken ct = default) =>
        Summarize(await Store.Dataset(dataset).GetManifestAsync(ct));

    /// <summary>Totals from a manifest.</summary>
    public static DatasetSummary Summarize(DatasetManifest manifest)
    {
        var images = manifest.ImageShards;
        var reasons = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var shard in images)
            foreach (var (reason, count) in shard.FailuresByReason ?? new Dictionary<string, long>())
                reasons[reason] = reasons.GetValueOrDefault(reason) + count;
        var masks = manifest.Shards.Where(s => s.Kind.StartsWith("masks/", StringComparison.Ordinal))
            .GroupBy(s => s.Kind["masks/".Length..]).ToDictionary(g => g.Key, g => g.Count());
        return new DatasetSummary(manifest.Name, manifest.Source, manifest.ConfigHash, images.Count, images.Sum(s => s.Rows),
            manifest.Shards.Sum(s => s.Bytes), images.Sum(s => s.Failures), reasons, masks, manifest.UpdatedUtc);
    }

    /// <summary>
    /// Up to <paramref name="count"/> sample rows, taken from the committed image shards in order (starting at
    /// <paramref name="fromShard"/> when given), each with its mask from <paramref name="generatorId"/> (default: the
    /// first generator that committed that shard).
    /// </summary>
    public async Task<IReadOnlyList<SampleRow>> SampleAsync(string dataset, int count, int? fromShard = null, string? generatorId = null, CancellationToken ct = default)
    {
        var ds = Store.Dataset(dataset);
        var manifest = await ds.GetManifestAsync(ct);
        var samples = new List<SampleRow>();
        foreach (var shard in manifest.ImageShards.Where(s => fromShard is null || s.Index >= fromShard))
        {
            if (samples.Count >= count) break;
            var images = new List<ImageRow>();
            await using (var reader = await ImageShardReader.OpenAsync(ds.Storage, ds.KeyOf(shard.Path), ct))
                for (var g = 0; g < reader.RowGroupCount && images.Count < count - samples.Count; g++)
                    images.AddRange((await reader.ReadRowGroupAsync(g, ImageColumns.All, ct)).Take(count - samples.Count - images.Count));
            var generator = generatorId ?? manifest.Shards
                .Where(s => s.Index == shard.Index && s.Kind.StartsWith("masks/", StringComparison.Ordinal))
                .Select(s => s.Kind["masks/".Length..]).OrderBy(k => k, StringComparer.Ordinal).FirstOrDefault();
            var masks = new Dictionary<string, MaskRow>(StringComparer.Ordinal);
            var maskEntry = generator is null ? null : manifest.Find(ShardNames.MasksKind(generator), shard.Index);
            if (maskEntry is not null)
            {
                var wanted = images.Select(i => i.Key).ToHashSet(StringComparer.Ordinal);
                await using var reader = await MaskShardReader.OpenAsync(ds.Storage, ds.KeyOf(maskEntry.Path), ct);
                await foreach (var mask in reader.ReadRowsAsync(includeMask: true, ct))
                {
                    if (wanted.Contains(mask.Key)) masks[mask.Key] = mask;
                    if (masks.Count == wanted.Count) break;
                }
            }
            samples.AddRange(images.Select(i => new SampleRow(shard.Index, i, masks.GetValueOrDefault(i.Key),
                masks.ContainsKey(i.Key) ? generator : null)));
        }
        return samples;
    }
}
