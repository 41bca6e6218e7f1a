using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Selftrain.Labeling;
using SSeg.Shards;

namespace SSeg.Selftrain.Data;

/// <summary>
/// The images and teacher labels written by <see cref="LabelStage"/>, read shard by shard (at most
/// <see cref="CachedShards"/> decoded shards in memory). Samples are addressed by (shard position, row).
/// </summary>
public sealed class LabelledSamples
{
    public const int CachedShards = 2;
    private readonly Dataset _dataset;
    private readonly LinkedList<(int Position, List<(byte[] Image, MaskRow Mask)> Rows)> _cache = new();

    private LabelledSamples(Dataset dataset, string generatorId, IReadOnlyList<(int Shard, int Rows)> shards)
    {
        _dataset = dataset;
        GeneratorId = generatorId;
        Shards = shards;
    }

    public string GeneratorId { get; }
    /// <summary>Committed label shards (index, rows), ascending.</summary>
    public IReadOnlyList<(int Shard, int Rows)> Shards { get; }
    public long Count => Shards.Sum(s => (long)s.Rows);

    /// <param name="generatorId">Null: the dataset's only <c>sseg-labels-*</c> generator.</param>
    public static async Task<LabelledSamples> OpenAsync(string storageRoot, string? azureConnectionString, string datasetName,
        string? generatorId, CancellationToken ct = default)
    {
        var dataset = DatasetStore.Open(storageRoot, azureConnectionString).Dataset(datasetName);
        var index = await dataset.GetIndexAsync(ct);
        if (generatorId is null)
        {
            var candidates = index.Generators.Keys.Where(k => k.StartsWith("sseg-labels-", StringComparison.Ordinal)).ToList();
            generatorId = candidates.Count switch
            {
                1 => candidates[0],
                0 => throw new InvalidOperationException($"dataset '{datasetName}' has no sseg-labels-* masks; run `selftrain label` first"),
                _ => throw new InvalidOperationException($"dataset '{datasetName}' has several label generators ({string.Join(", ", candidates)}); choose one"),
            };
        }
        var kind = ShardNames.MasksKind(generatorId);
        var shards = index.ShardsOf(kind)
            .Where(m => index.Find(ShardNames.ImagesKind, m.Index) is not null && m.Rows > 0)
            .Select(m => (m.Index, checked((int)m.Rows))).ToList();
        if (shards.Count == 0) throw new InvalidOperationException($"dataset '{datasetName}' has no committed label shards of {generatorId}");
        return new LabelledSamples(dataset, generatorId, shards);
    }

    /// <summary>Decodes row <paramref name="row"/> of the label shard at <paramref name="position"/> in <see cref="Shards"/>.</summary>
    public async Task<SegSample> GetAsync(int position, int row, CancellationToken ct = default)
    {
        var rows = await LoadShardAsync(position, ct);
        var (imageBytes, mask) = rows[row];
        using var image = Image.Load<Rgb24>(imageBytes);
        var rgb = new byte[image.Width * image.Height * 3];
        image.CopyPixelDataTo(rgb);
        var (h, w, labels) = MaskPng.Decode(mask, _dataset.Name);
        if (w != image.Width || h != image.Height)
            throw new InvalidDataException($"{_dataset.Name} {mask.Key}: label map {w}x{h} does not match the image {image.Width}x{image.Height}");
        return new SegSample(w, h, rgb, labels);
    }

    private async Task<List<(byte[] Image, MaskRow Mask)>> LoadShardAsync(int position, CancellationToken ct)
    {
        for (var node = _cache.First; node is not null; node = node.Next)
            if (node.Value.Position == position)
            {
                _cache.Remove(node);
                _cache.AddFirst(node);
                return node.Value.Rows;
            }
        var shard = Shards[position].Shard;
        var images = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        await using (var reader = await _dataset.OpenImageShardAsync(shard, ct))
            await foreach (var r in reader.ReadRowsAsync(ImageColumns.Key | ImageColumns.Image, ct))
                images[r.Key] = r.ImageBytes;
        var rows = new List<(byte[], MaskRow)>();
        await using (var reader = await _dataset.OpenMaskShardAsync(GeneratorId, shard, ct))
            await foreach (var m in reader.ReadRowsAsync(true, ct))
            {
                if (!images.TryGetValue(m.Key, out var bytes))
                    throw new InvalidDataException($"{_dataset.Name}: label row {m.Key} of shard {shard} has no image row");
                rows.Add((bytes, m));
            }
        if (rows.Count != Shards[position].Rows)
            throw new InvalidDataException($"{_dataset.Name}: label shard {shard} has {rows.Count} rows, the manifest says {Shards[position].Rows}");
        _cache.AddFirst((position, rows));
        while (_cache.Count > CachedShards) _cache.RemoveLast();
        return rows;
    }
}
