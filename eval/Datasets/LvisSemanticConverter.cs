using System.Text.Json;
using SSeg.Eval.Metrics;

namespace SSeg.Eval.Datasets;

/// <summary>Counts of one LVIS conversion.</summary>
public sealed record LvisConversionResult(int Written, int Skipped, int Linked, IReadOnlyList<string> Failures);

/// <summary>
/// Renders LVIS instance polygons (lvis_v1_val.json) into the semantic layout <see cref="LvisDataset"/> reads:
/// <c>&lt;out&gt;/semantic/&lt;split&gt;/&lt;stem&gt;.png</c> (value = category id, 0 = not annotated; instances painted
/// largest area first so smaller objects stay visible), <c>&lt;out&gt;/classes.txt</c> (category names in id order,
/// '_' → ' '), and, when <c>cocoImages</c> is given (a folder with train2017/ and val2017/), symbolic links
/// <c>&lt;out&gt;/images/&lt;split&gt;/&lt;file&gt;</c> to the COCO images named by each image's coco_url.
/// Existing label files are kept (a rerun resumes). RLE segmentations (crowd) are not in LVIS and are refused.
/// </summary>
public static class LvisSemanticConverter
{
    public static LvisConversionResult Convert(string lvisJson, string outRoot, string split = "val", string? cocoImages = null,
        bool overwrite = false, IProgress<int>? progress = null, CancellationToken ct = default)
    {
        DatasetFiles.RequireFile(lvisJson, "convert-lvis", "LVIS annotation json");
        using var doc = ReadJson(lvisJson);
        var root = doc.RootElement;

        var categories = root.GetProperty("categories").EnumerateArray()
            .Select(c => (Id: c.GetProperty("id").GetInt32(), Name: c.GetProperty("name").GetString() ?? ""))
            .OrderBy(c => c.Id).ToList();
        for (int i = 0; i < categories.Count; i++)
            if (categories[i].Id != i + 1)
                throw new InvalidDataException($"{lvisJson}: category ids must be 1..{categories.Count} without gaps; found {categories[i].Id} at position {i + 1}");
        Directory.CreateDirectory(outRoot);
        File.WriteAllLines(Path.Combine(outRoot, "classes.txt"), categories.Select(c => c.Name.Replace('_', ' ')));

        var annotations = new Dictionary<long, List<JsonElement>>();
        foreach (var a in root.GetProperty("annotations").EnumerateArray())
        {
            long imageId = a.GetProperty("image_id").GetInt64();
            if (!annotations.TryGetValue(imageId, out var list)) annotations[imageId] = list = new List<JsonElement>();
            list.Add(a);
        }

        var labelDir = Path.Combine(outRoot, "semantic", split);
        var imageDir = Path.Combine(outRoot, "images", split);
        Directory.CreateDirectory(labelDir);
        if (cocoImages is not null) Directory.CreateDirectory(imageDir);
        int written = 0, skipped = 0, linked = 0, done = 0;
        var failures = new List<string>();
        foreach (var image in root.GetProperty("images").EnumerateArray())
        {
            ct.ThrowIfCancellationRequested();
            long id = image.GetProperty("id").GetInt64();
            try
            {
                var (folder, file) = ImageFile(image);
                var stem = Path.GetFileNameWithoutExtension(file);
                if (cocoImages is not null)
                {
                    var link = Path.Combine(imageDir, file);
                    if (!File.Exists(link))
                    {
                        var target = Path.Combine(cocoImages, folder, file);
                        if (!File.Exists(target)) throw new FileNotFoundException($"COCO image not found: {target}");
                        File.CreateSymbolicLink(link, Path.GetFullPath(target));
                        linked++;
                    }
                }
                var output = Path.Combine(labelDir, stem + ".png");
                if (!overwrite && File.Exists(output)) { skipped++; continue; }
                int w = image.GetProperty("width").GetInt32(), h = image.GetProperty("height").GetInt32();
                var labels = new int[w * h];
                var anns = annotations.TryGetValue(id, out var l) ? l : new List<JsonElement>();
                foreach (var a in anns.OrderByDescending(a => a.GetProperty("area").GetDouble()))
                {
                    int category = a.GetProperty("category_id").GetInt32();
                    var seg = a.GetProperty("segmentation");
                    if (seg.ValueKind != JsonValueKind.Array)
                        throw new InvalidDataException($"annotation {a.GetProperty("id")} has a non-polygon segmentation");
                    foreach (var polygon in seg.EnumerateArray())
                        PolygonRasterizer.Fill(labels, w, h, polygon.EnumerateArray().Select(v => v.GetDouble()).ToList(), category);
                }
                IndexedPng.Write(output, new LabelMap(w, h, labels));
                written++;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or KeyNotFoundException or InvalidOperationException)
            {
                failures.Add($"image {id}: {e.Message}");
            }
            finally { progress?.Report(++done); }
        }
        return new LvisConversionResult(written, skipped, linked, failures);
    }

    /// <summary>COCO folder and file name from coco_url (".../val2017/000000397133.jpg").</summary>
    private static (string Folder, string File) ImageFile(JsonElement image)
    {
        var url = image.GetProperty("coco_url").GetString() ?? throw new InvalidDataException("image without coco_url");
        var parts = url.Split('/');
        if (parts.Length < 2) throw new InvalidDataException($"unexpected coco_url '{url}'");
        return (parts[^2], parts[^1]);
    }

    private static JsonDocument ReadJson(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonDocument.Parse(stream);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: invalid JSON: {e.Message}", e);
        }
    }
}
