using System.Globalization;
using SSeg.Ingest.Images;
using SSeg.Shards;

namespace SSeg.Pipelines.Bench;

/// <summary>
/// Image shards for the loader benches, made from real photos (read from a folder at bench time, never copied into the
/// repository) the way ingest stores them: ingest's <see cref="ImageProcessor"/> (short side 512, JPEG q95) and the
/// dataset's own shard writer. Photos are reused round-robin to reach the requested count; captions name the photo's
/// folder and file words so that prompt building and tokenisation have real text to work on.
/// </summary>
internal static class BenchPhotoShards
{
    public static string? DefaultFolder()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "shared", "data", "photos"), Path.Combine(dir.FullName, "..", "shared", "data", "photos") })
                if (Directory.Exists(candidate)) return Path.GetFullPath(candidate);
        return null;
    }

    public static IReadOnlyList<string> List(string? folder)
    {
        folder ??= DefaultFolder() ?? throw new ArgumentException("no --photos folder given and no shared/data/photos found above the working directory");
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"photo folder not found: {folder}");
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase) ||
                        f.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            .OrderBy(f => f, StringComparer.Ordinal).ToList();
        return files.Count > 0 ? files : throw new ArgumentException($"no .jpg/.png photos under {folder}");
    }

    /// <summary>Writes <paramref name="images"/> rows over <paramref name="shards"/> shards; returns the photos that ingest refused.</summary>
    public static async Task<int> WriteAsync(Dataset dataset, IReadOnlyList<string> photos, int images, int shards, CancellationToken ct)
    {
        var processor = new ImageProcessor(new ImageOptions());
        var processed = new List<(ProcessedImage Image, string Caption, string[] Nouns)>();
        var refused = 0;
        foreach (var photo in photos)
        {
            var image = processor.Process(await File.ReadAllBytesAsync(photo, ct));
            if (!image.Ok) { refused++; continue; }
            var words = Words(Path.GetFileName(Path.GetDirectoryName(photo)!)).Concat(Words(Path.GetFileNameWithoutExtension(photo))).Take(4).ToArray();
            processed.Add((image, $"a photo of {string.Join(' ', words)} seen from the street on a sunny day", words));
        }
        if (processed.Count == 0) throw new InvalidDataException("ingest refused every photo");
        var perShard = (images + shards - 1) / shards;
        for (var s = 0; s < shards; s++)
        {
            await using var writer = await dataset.CreateImageShardWriterAsync(s, ct: ct);
            for (var i = s * perShard; i < Math.Min(images, (s + 1) * perShard); i++)
            {
                var (image, caption, nouns) = processed[i % processed.Count];
                await writer.AddAsync(new ImageRow($"bench/{s:D5}/{i:D6}", image.Jpeg!, caption, nouns, ["see"], "", "bench",
                    image.Width, image.Height, image.OriginalWidth, image.OriginalHeight, image.Sha256), ct);
            }
            await writer.CommitAsync(ct);
        }
        return refused;
    }

    /// <summary>The 1-, 5- and 15-minute load averages, for printing beside a figure measured on a shared machine.</summary>
    public static string LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return string.Create(CultureInfo.InvariantCulture, $"load average {parts[0]} {parts[1]} {parts[2]}");
        }
        catch (IOException) { return "load average unknown"; }
        catch (UnauthorizedAccessException) { return "load average unknown"; }
    }

    private static IEnumerable<string> Words(string name) =>
        name.Split(['-', '_', ' ', '.'], StringSplitOptions.RemoveEmptyEntries)
            .Where(w => w.Length > 2 && w.All(char.IsLetter)).Select(w => w.ToLowerInvariant());
}
