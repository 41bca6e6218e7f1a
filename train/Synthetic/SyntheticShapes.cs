using System.Security.Cryptography;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Pseudomask;
using SSeg.Shards;
using SSeg.Train.Data;
using static TorchSharp.torch;

namespace SSeg.Train.Synthetic;

/// <summary>One generated picture: label map (0 = background, 1.. = <see cref="SyntheticShapes.Classes"/> + 1).</summary>
public sealed record ShapeSample(Image<Rgb24> Image, int[] Labels, string Caption, string[] Nouns) : IDisposable
{
    public void Dispose() => Image.Dispose();
}

/// <summary>
/// A small learnable stand-in for image–caption data (tests, demo, CPU benches): one or two coloured shapes
/// (red circle, blue square, yellow triangle) on a noisy striped background (grass, sand, road), with a caption
/// naming them, and pseudo-masks from per-image RGB k-means (pseudomask's <see cref="BatchedKMeans"/>).
/// </summary>
public static class SyntheticShapes
{
    public static readonly string[] Classes = ["circle", "square", "triangle"];
    private static readonly Rgb24[] ClassColours = [new(220, 40, 40), new(40, 70, 220), new(235, 210, 40)];
    private static readonly (string Name, Rgb24 Colour)[] Backgrounds = [("grass", new(60, 130, 60)), ("sand", new(170, 150, 110)), ("road", new(110, 110, 115))];

    public const string GeneratorId = "rgb-kmeans-k4";

    public static ShapeSample Generate(int size, Random rng)
    {
        var (bgName, bg) = Backgrounds[rng.Next(Backgrounds.Length)];
        var labels = new int[size * size];
        var image = new Image<Rgb24>(size, size);
        double stripe = 2 * Math.PI / (6 + rng.Next(10)), phase = rng.NextDouble() * 6.28;
        bool vertical = rng.Next(2) == 0;
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                double t = 14 * Math.Sin((vertical ? x : y) * stripe + phase) + (rng.NextDouble() - 0.5) * 30;
                image[x, y] = new Rgb24(Clamp(bg.R + t), Clamp(bg.G + t), Clamp(bg.B + t));
            }
        int count = 1 + rng.Next(2);
        var classes = Enumerable.Range(0, Classes.Length).OrderBy(_ => rng.Next()).Take(count).ToArray();
        foreach (var c in classes)
        {
            double r = size * (0.14 + rng.NextDouble() * 0.1);
            double cx = r + rng.NextDouble() * (size - 2 * r), cy = r + rng.NextDouble() * (size - 2 * r);
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                {
                    double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
                    bool inside = c switch
                    {
                        0 => dx * dx + dy * dy <= r * r,
                        1 => Math.Abs(dx) <= r * 0.85 && Math.Abs(dy) <= r * 0.85,
                        _ => dy <= r * 0.8 && dy >= -r && Math.Abs(dx) <= (dy + r) * 0.6,
                    };
                    if (!inside) continue;
                    var col = ClassColours[c];
                    double n = (rng.NextDouble() - 0.5) * 20;
                    image[x, y] = new Rgb24(Clamp(col.R + n), Clamp(col.G + n), Clamp(col.B + n));
                    labels[y * size + x] = c + 1;
                }
        }
        var names = classes.Select(c => Classes[c]).ToArray();
        string caption = names.Length == 1 ? $"a {names[0]} on the {bgName}" : $"a {names[0]} and a {names[1]} on the {bgName}";
        return new ShapeSample(image, labels, caption, [.. names, bgName]);
    }

    /// <summary>RGB k-means pseudo-mask on a (size/cell)² grid of cell-mean colours: (grid, ids, segments).</summary>
    public static (int Grid, byte[] Ids, int Segments) RgbKMeansMask(Image<Rgb24> image, int k, int cell, Random rng)
    {
        int g = image.Width / cell;
        var feats = new float[g * g * 3];
        for (int gy = 0; gy < g; gy++)
            for (int gx = 0; gx < g; gx++)
            {
                double r = 0, gr = 0, b = 0;
                for (int y = gy * cell; y < (gy + 1) * cell; y++)
                    for (int x = gx * cell; x < (gx + 1) * cell; x++) { var p = image[x, y]; r += p.R; gr += p.G; b += p.B; }
                int o = (gy * g + gx) * 3;
                double n = cell * cell * 255.0;
                feats[o] = (float)(r / n); feats[o + 1] = (float)(gr / n); feats[o + 2] = (float)(b / n);
            }
        using var scope = NewDisposeScope();
        var uniforms = tensor(Enumerable.Range(0, k).Select(_ => rng.NextDouble()).ToArray(), new long[] { 1, k }, dtype: float64);
        using var result = BatchedKMeans.Run(tensor(feats, new long[] { 1, g * g, 3 }), uniforms, 30);
        var raw = result.Labels.to(int64).cpu().data<long>().ToArray();
        var map = new int[256];
        Array.Fill(map, -1);
        var ids = new byte[raw.Length];
        int next = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            if (map[raw[i]] < 0) map[raw[i]] = next++;
            ids[i] = (byte)map[raw[i]];
        }
        return (g, ids, next);
    }

    /// <summary>Writes a dataset of <paramref name="images"/> samples in <paramref name="shards"/> image shards plus
    /// RGB k-means mask shards (generator <see cref="GeneratorId"/>). Idempotent per shard.</summary>
    public static async Task<Dataset> WriteDatasetAsync(string root, string name, int images, int shards, int size = 96, int seed = 0,
        int k = 4, CancellationToken ct = default)
    {
        var store = DatasetStore.Open(root);
        var dataset = await store.CreateOrOpenAsync(name, source: "synthetic-shapes", ct: ct);
        var generator = new MaskGeneratorInfo(GeneratorId, "rgb", "none", "rgb-cell-mean", k, seed);
        int perShard = (images + shards - 1) / shards;
        for (int s = 0; s < shards; s++)
        {
            if (await dataset.IsCommittedAsync(s, ct) && await dataset.IsMaskCommittedAsync(GeneratorId, s, ct)) continue;
            await using var imageWriter = await dataset.CreateImageShardWriterAsync(s, ct: ct);
            await using var maskWriter = await dataset.CreateMaskShardWriterAsync(generator, s, ct: ct);
            for (int i = 0; i < perShard && s * perShard + i < images; i++)
            {
                var rng = new Random(ShardTrainStream.Mix(seed, s, i));
                using var sample = Generate(size, rng);
                using var jpeg = new MemoryStream();
                sample.Image.Save(jpeg, new JpegEncoder { Quality = 95 });
                var bytes = jpeg.ToArray();
                var key = $"synthetic/{s:D5}/{i:D5}";
                await imageWriter.AddAsync(new ImageRow(key, bytes, sample.Caption, sample.Nouns.Take(sample.Nouns.Length - 1).ToArray(),
                    [], $"synthetic://{name}/{key}", "synthetic", size, size, size, size, Convert.ToHexStringLower(SHA256.HashData(bytes))), ct);
                var (grid, ids, segments) = RgbKMeansMask(sample.Image, k, 4, rng);
                await maskWriter.AddAsync(new MaskRow(key, ClusterMapPng.Encode(grid, grid, ids), grid, grid, segments), ct);
            }
            await imageWriter.CommitAsync(ct);
            await maskWriter.CommitAsync(ct);
        }
        return dataset;
    }

    private static byte Clamp(double v) => (byte)Math.Clamp((int)Math.Round(v), 0, 255);
}
