using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace SSeg.Eval.Datasets;

/// <summary>Shared helpers for dataset readers: existence checks with clear messages, id lists, image loading.</summary>
public static class DatasetFiles
{
    public static string RequireDirectory(string path, string datasetName, string what)
    {
        if (!Directory.Exists(path))
            throw new DirectoryNotFoundException($"{datasetName}: {what} folder not found: {path}");
        return path;
    }

    public static string RequireFile(string path, string datasetName, string what)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{datasetName}: {what} not found: {path}", path);
        return path;
    }

    /// <summary>Reads an id list (one id per line, blank lines skipped).</summary>
    public static IReadOnlyList<string> ReadIdList(string path, string datasetName)
    {
        RequireFile(path, datasetName, "id list");
        var ids = File.ReadLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        if (ids.Count == 0) throw new InvalidDataException($"{datasetName}: id list {path} is empty");
        return ids;
    }

    /// <summary>
    /// Builds the samples for ids and checks every image and label file exists; throws listing the first
    /// few missing files and the count.
    /// </summary>
    public static IReadOnlyList<EvalSample> BuildSamples(IEnumerable<string> ids, Func<string, string> imagePath,
        Func<string, string> labelPath, string datasetName)
    {
        var samples = new List<EvalSample>();
        var missing = new List<string>();
        foreach (var id in ids)
        {
            var s = new EvalSample(id, imagePath(id), labelPath(id));
            if (!File.Exists(s.ImagePath)) missing.Add(s.ImagePath);
            if (!File.Exists(s.LabelPath)) missing.Add(s.LabelPath);
            samples.Add(s);
        }
        if (missing.Count > 0)
            throw new FileNotFoundException(
                $"{datasetName}: {missing.Count} listed file(s) missing, e.g. {string.Join(", ", missing.Take(5))}");
        if (samples.Count == 0) throw new InvalidDataException($"{datasetName}: no samples");
        return samples;
    }

    public static Image<Rgb24> LoadRgb(string path)
    {
        try
        {
            return Image.Load<Rgb24>(path);
        }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or NotSupportedException)
        {
            throw new InvalidDataException($"cannot decode image {path}: {e.Message}", e);
        }
    }
}
