using SSeg.Runs;
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
/// A small learnable stand-in for web image–caption data (tests, demo, CPU benches): one to three coloured shapes
/// (circle, square, triangle; repeats allowed, later ones occluding earlier ones) on a textured scene (grass, sand,
/// road, brick wall, water, wooden table), with a caption that names the shapes and, like many web captions,
/// sometimes the scene ("a circle and two squares on the grass") and sometimes not; pseudo-masks from per-image RGB
/// k-means (pseudomask's <see cref="BatchedKMeans"/>). The nouns are those a caption tagger would extract.
/// </summary>
public static class SyntheticShapes
{
    public static readonly string[] Classes = ["circle", "square", "triangle"];
    private static readonly Rgb24[] ClassColours = [new(220, 40, 40), new(40, 70, 220), new(235, 210, 40)];
    private static readonly string[] Counts = ["a", "two", "three"];
    /// <summary>Caption frames: {0} the shapes, {1} the scene phrase with its leading space, or nothing.</summary>
    private static readonly string[] Frames = ["{0}{1}", "a photo of {0}{1}", "there is {0}{1}", "{0}{1}, seen from above"];

    /// <summary>Probability that a caption names the scene.</summary>
    public const double SceneNamedProbability = 0.6;

    public const string GeneratorId = "rgb-kmeans-k4";

    public static ShapeSample Generate(int size, Random rng)
    {
        var scene = SceneBackgrounds.All[rng.Next(SceneBackgrounds.All.Length)];
        var labels = new int[size * size];
        var image = new Image<Rgb24>(size, size);
        scene.Paint(image, rng);
        int count = 1 + rng.Next(3);
        var classes = Enumerable.Range(0, count).Select(_ => rng.Next(Classes.Length)).ToArray();
        foreach (var c in classes) DrawShape(image, labels, c, size * (0.14 + rng.NextDouble() * 0.1), rng);

        var frame = Frames[rng.Next(Frames.Length)];
        bool sceneNamed = rng.NextDouble() < SceneNamedProbability;
        var scenePhrase = sceneNamed ? " " + scene.Phrases[rng.Next(scene.Phrases.Length)] : "";
        var caption = string.Format(System.Globalization.CultureInfo.InvariantCulture, frame, ObjectPhrase(classes), scenePhrase);
        var nouns = new List<string>();
        if (frame.Contains("photo", StringComparison.Ordinal)) nouns.Add("photo");
        nouns.AddRange(classes.Distinct().Select(c => Classes[c]));
        if (sceneNamed) nouns.Add(scene.Noun);
        return new ShapeSample(image, labels, caption, [.. nouns]);
    }

    /// <summary>"a circle", "a circle and two squares", "a triangle, a circle and a square" (classes in order of first appearance).</summary>
    private static string ObjectPhrase(int[] classes)
    {
        var parts = classes.Distinct().Select(c =>
        {
            int n = classes.Count(x => x == c);
            return n == 1 ? $"a {Classes[c]}" : $"{Counts[n - 1]} {Classes[c]}s";
        }).ToArray();
        return parts.Length == 1 ? parts[0] : $"{string.Join(", ", parts[..^1])} and {parts[^1]}";
    }

    private static void DrawShape(Image<Rgb24> image, int[] labels, int c, double r, Random rng)
    {
        int size = image.Width;
        double cx = r + rng.NextDouble() * (size - 2 * r), cy = r + rng.NextDouble() * (size - 2 * r);
        var col = ClassColours[c];
        double jr = (rng.NextDouble() - 0.5) * 40, jg = (rng.NextDouble() - 0.5) * 40, jb = (rng.NextDouble() - 0.5) * 40;
        double light = rng.NextDouble() * 2 * Math.PI;
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
                // A soft directional shading and pixel noise, so a shape is not one flat colour.
                double n = (rng.NextDouble() - 0.5) * 20 + 18 * (dx * Math.Cos(light) + dy * Math.Sin(light)) / r;
                image[x, y] = new Rgb24(SceneBackgrounds.Clamp(col.R + jr + n), SceneBackgrounds.Clamp(col.G + jg + n), SceneBackgrounds.Clamp(col.B + jb + n));
                labels[y * size + x] = c + 1;
            }
    }

    /// <summary>RGB k-means pseudo-masks for a batch of images, on a (size/cell)² grid of cell-mean colours,
    /// in one batched k-means call: per image (grid, ids renumbered by first appearance, segments).</summary>
    public static List<(int Grid, byte[] Ids, int Segments)> RgbKMeansMasks(IReadOnlyList<Image<Rgb24>> images, int k, int cell, Random rng)
    {
        int g = images[0].Width / cell, n = g * g;
        var feats = new float[images.Count * n * 3];
        for (int b = 0; b < images.Count; b++)
        {
            var sums = new double[n * 3];
            images[b].ProcessPixelRows(rows =>
            {
                for (int y = 0; y < g * cell; y++)
                {
                    var row = rows.GetRowSpan(y);
                    for (int x = 0; x < g * cell; x++)
                    {
                        int o = ((y / cell) * g + x / cell) * 3;
                        sums[o] += row[x].R; sums[o + 1] += row[x].G; sums[o + 2] += row[x].B;
                    }
                }
            });
            for (int i = 0; i < n * 3; i++) feats[b * n * 3 + i] = (float)(sums[i] / (cell * cell * 255.0));
        }
        using var scope = NewDisposeScope();
        var uniforms = tensor(Enumerable.Range(0, images.Count * k).Select(_ => rng.NextDouble()).ToArray(), new long[] { images.Count, k }, dtype: float64);
        using var result = BatchedKMeans.Run(tensor(feats, new long[] { images.Count, n, 3 }), uniforms, 30);
        var raw = result.Labels.to(int64).cpu().data<long>().ToArray();
        var masks = new List<(int, byte[], int)>(images.Count);
        for (int b = 0; b < images.Count; b++)
        {
            var map = new int[256];
            Array.Fill(map, -1);
            var ids = new byte[n];
            int next = 0;
            for (int i = 0; i < n; i++)
            {
                long v = raw[b * n + i];
                if (map[v] < 0) map[v] = next++;
                ids[i] = (byte)map[v];
            }
            masks.Add((g, ids, next));
        }
        return masks;
    }

    /// <summary>Writes a dataset of <paramref name="images"/> samples in <paramref name="shards"/> image shards plus
    /// RGB k-means mask shards (generator <see cref="GeneratorId"/>). Idempotent per shard.</summary>
    public static async Task<Dataset> WriteDatasetAsync(string root, string name, int images, int shards, int size = 96, int seed = 0,
        int k = 4, int maskCell = 4, CancellationToken ct = default)
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
            var samples = new List<ShapeSample>();
            for (int i = 0; i < perShard && s * perShard + i < images; i++)
                samples.Add(Generate(size, new Random(SeedMixer.Mix(seed, s, i))));
            if (samples.Count == 0) continue;
            var masks = RgbKMeansMasks(samples.Select(x => x.Image).ToList(), k, maskCell, new Random(SeedMixer.Mix(seed, s, -1)));
            for (int i = 0; i < samples.Count; i++)
            {
                using var sample = samples[i];
                using var jpeg = new MemoryStream();
                sample.Image.Save(jpeg, new JpegEncoder { Quality = 95 });
                var bytes = jpeg.ToArray();
                var key = $"synthetic/{s:D5}/{i:D5}";
                await imageWriter.AddAsync(new ImageRow(key, bytes, sample.Caption, sample.Nouns,
                    [], $"synthetic://{name}/{key}", "synthetic", size, size, size, size, Convert.ToHexStringLower(SHA256.HashData(bytes))), ct);
                var (grid, ids, segments) = masks[i];
                await maskWriter.AddAsync(new MaskRow(key, MaskPng.Encode(grid, grid, ids), grid, grid, segments), ct);
            }
            await imageWriter.CommitAsync(ct);
            await maskWriter.CommitAsync(ct);
        }
        return dataset;
    }

}
