using System.Collections.Concurrent;
using SSeg.Eval.Metrics;

namespace SSeg.Eval.Datasets;

/// <summary>Counts of one conversion run.</summary>
public sealed record CocoObjectConversionResult(int Converted, int Skipped, IReadOnlyList<string> Failures,
    long UnexpectedValuePixels);

/// <summary>
/// Builds COCO-Object labels from COCO-Stuff-164k <c>stuffthingmaps</c> (docs/method.md §7.6, GroupViT's
/// convert_coco_object.py): the 80 thing values {0..10, 12..24, 26..27, 30..43, 45..64, 66, 69, 71..81, 83..89}
/// become 1..80 in that order; stuff values 91..181 and 255 (unlabelled) become 0 background. Values in the gaps of
/// the thing range (unused COCO ids) also become 0 and are counted. Output:
/// <c>&lt;coco&gt;/annotations/&lt;split&gt;/&lt;id&gt;_instanceTrainIds.png</c> (8-bit grayscale), written atomically;
/// existing outputs are skipped, so a rerun resumes.
/// </summary>
public static class CocoObjectConverter
{
    /// <summary>The 80 stuffthingmap thing values, in COCO category order (value = COCO id − 1).</summary>
    public static IReadOnlyList<int> ThingValues { get; } = BuildThingValues();

    /// <summary>Lookup from stuffthingmap value (0..255) to COCO-Object label.</summary>
    public static IReadOnlyList<int> ValueToLabel { get; } = BuildLookup();

    public static LabelMap Convert(LabelMap stuffThing, out long unexpectedPixels)
    {
        var output = new int[stuffThing.Labels.Length];
        long unexpected = 0;
        for (int i = 0; i < output.Length; i++)
        {
            int v = stuffThing.Labels[i];
            if ((uint)v > 255) throw new InvalidDataException($"stuffthingmap value {v} at pixel {i} is outside 0..255");
            output[i] = ValueToLabel[v];
            if (v <= 90 && output[i] == 0) unexpected++;
        }
        unexpectedPixels = unexpected;
        return new LabelMap(stuffThing.Width, stuffThing.Height, output);
    }

    /// <param name="stuffThingMapsDir">The folder of <c>&lt;id&gt;.png</c> maps (for example stuffthingmaps_trainval2017/val2017).</param>
    /// <param name="cocoRoot">The <c>coco</c> folder; labels go to annotations/&lt;split&gt;.</param>
    public static CocoObjectConversionResult ConvertFolder(string stuffThingMapsDir, string cocoRoot, string split = "val2017",
        bool overwrite = false, IProgress<int>? progress = null, CancellationToken ct = default)
    {
        DatasetFiles.RequireDirectory(stuffThingMapsDir, "convert-coco-object", "stuffthingmaps");
        var inputs = Directory.EnumerateFiles(stuffThingMapsDir, "*.png").Order(StringComparer.Ordinal).ToList();
        if (inputs.Count == 0) throw new InvalidDataException($"convert-coco-object: no .png maps in {stuffThingMapsDir}");
        var outDir = Path.Combine(cocoRoot, "annotations", split);
        Directory.CreateDirectory(outDir);
        int converted = 0, skipped = 0, done = 0;
        long unexpected = 0;
        var failures = new ConcurrentBag<string>();
        Parallel.ForEach(inputs, new ParallelOptions { CancellationToken = ct }, input =>
        {
            var output = Path.Combine(outDir, Path.GetFileNameWithoutExtension(input) + CocoObjectDataset.LabelSuffix);
            if (!overwrite && File.Exists(output))
                Interlocked.Increment(ref skipped);
            else
            {
                try
                {
                    var labels = Convert(IndexedPng.ReadLabels(input), out long bad);
                    IndexedPng.Write(output, labels);
                    Interlocked.Add(ref unexpected, bad);
                    Interlocked.Increment(ref converted);
                }
                catch (Exception e) when (e is InvalidDataException or IOException)
                {
                    failures.Add($"{input}: {e.Message}");
                }
            }
            progress?.Report(Interlocked.Increment(ref done));
        });
        return new CocoObjectConversionResult(converted, skipped, failures.Order(StringComparer.Ordinal).ToList(), unexpected);
    }

    private static IReadOnlyList<int> BuildThingValues()
    {
        var values = new List<int>();
        foreach (var (a, b) in new[] { (0, 10), (12, 24), (26, 27), (30, 43), (45, 64), (66, 66), (69, 69), (71, 81), (83, 89) })
            for (int v = a; v <= b; v++) values.Add(v);
        if (values.Count != 80) throw new InvalidOperationException($"expected 80 thing values, built {values.Count}");
        return values;
    }

    private static IReadOnlyList<int> BuildLookup()
    {
        var lookup = new int[256];
        for (int i = 0; i < ThingValues.Count; i++) lookup[ThingValues[i]] = i + 1;
        return lookup;
    }
}
