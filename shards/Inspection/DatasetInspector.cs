namespace SSeg.Shards;

/// <summary>
/// Totals of one dataset: from its entries (<see cref="DatasetInspector.Summarize"/>, <see cref="Dataset.SummarizeAsync"/>),
/// never from its shard files.
/// </summary>
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

    /// <summary>Summaries of every dataset under the root, by name; each streamed, so memory does not grow with the shard count.</summary>
    public async Task<IReadOnlyList<DatasetSummary>> ListAsync(CancellationToken ct = default)
    {
        var result = new List<DatasetSummary>();
        foreach (var name in await Store.ListDatasetsAsync(ct))
            if (await Store.Dataset(name).SummarizeAsync(ct) is { } summary)
                result.Add(summary);
        return result;
    }

    /// <summary>Summary of one dataset; throws a clear error when it does not exist.</summary>
    public async Task<DatasetSummary> SummarizeAsync(string dataset, CancellationToken ct = default)
    {
        var ds = Store.Dataset(dataset);
        return await ds.SummarizeAsync(ct) ?? throw new InvalidOperationException($"Dataset '{ds.Name}' does not exist under {Store.Storage.RootUri}.");
    }

    /// <summary>Totals from a manifest already read (a stage that holds one); views use <see cref="Dataset.SummarizeAsync"/>.</summary>
    public static DatasetSummary Summarize(DatasetManifest manifest)
    {
        var images = manifest.ImageShards;
        var reasons = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var shard in images)
            foreach (var (reason, count) in shard.FailuresByReason ?? new Dictionary<string, long>())
                reasons[reason] = reasons.GetValueOrDefault(reason) + count;
        var masks = manifest.Shards.Select(s => ShardNames.GeneratorOfMasksKind(s.Kind)).OfType<string>()
            .GroupBy(g => g, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new DatasetSummary(manifest.Name, manifest.Source, manifest.ConfigHash, images.Count, images.Sum(s => s.Rows),
            manifest.Shards.Sum(s => s.Bytes), images.Sum(s => s.Failures), reasons, masks, manifest.UpdatedUtc);
    }

    /// <summary>
    /// Up to <paramref name="count"/> sample rows, taken from the committed image shards in order (starting at
    /// <paramref name="fromShard"/> when given), each with its mask from <paramref name="generatorId"/> (default: the
    /// first generator, in ordinal order of ids, that committed that shard). The image shards are streamed and the
    /// masks found by name, so a sample of a few rows costs the same whatever the number of shards.
    /// </summary>
    public async Task<IReadOnlyList<SampleRow>> SampleAsync(string dataset, int count, int? fromShard = null, string? generatorId = null, CancellationToken ct = default)
    {
        var ds = Store.Dataset(dataset);
        var samples = new List<SampleRow>();
        IReadOnlyList<string>? generators = generatorId is null ? null : [generatorId];
        await foreach (var shard in ds.StreamShardsAsync(ShardNames.ImagesKind, Math.Max(0, fromShard ?? 0), ct))
        {
            if (samples.Count >= count) break;
            var images = new List<ImageRow>();
            await using (var reader = await ImageShardReader.OpenAsync(ds.Storage, ds.KeyOf(shard.Path), ct))
                for (var g = 0; g < reader.RowGroupCount && images.Count < count - samples.Count; g++)
                    images.AddRange((await reader.ReadRowGroupAsync(g, ImageColumns.All, ct)).Take(count - samples.Count - images.Count));
            // The generator ids come from the totals, read once and only when a shard is sampled.
            generators ??= await GeneratorIdsAsync(ds, ct);
            var (generator, maskEntry) = await FirstMaskAsync(ds, generators, shard.Index, ct);
            var masks = new Dictionary<string, MaskRow>(StringComparer.Ordinal);
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
            if (samples.Count >= count) break;   // before the stream reads on
        }
        return samples;
    }

    private static async Task<IReadOnlyList<string>> GeneratorIdsAsync(Dataset ds, CancellationToken ct) =>
        (await ds.SummarizeAsync(ct))?.MaskShardsByGenerator.Keys.Order(StringComparer.Ordinal).ToList() ?? [];

    /// <summary>
    /// The mask shown with image shard <paramref name="shardIndex"/>: the first of <paramref name="generators"/> (ids
    /// in the order to try, e.g. ordinal) that committed that shard, with its entry; each found by name, no listing.
    /// </summary>
    public static async Task<(string? Generator, ShardEntry? Entry)> FirstMaskAsync(Dataset ds, IReadOnlyList<string> generators, int shardIndex, CancellationToken ct = default)
    {
        foreach (var generator in generators)
            if (await ds.FindCommittedAsync(ShardNames.MasksKind(generator), shardIndex, ct) is { } entry)
                return (generator, entry);
        return (null, null);
    }
}
