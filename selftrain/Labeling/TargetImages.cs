using SSeg.Eval.Datasets;

namespace SSeg.Selftrain.Labeling;

/// <summary>One training image of the target dataset (its labels, if any, are never read).</summary>
public sealed record TargetImage(string Id, string Path);

/// <summary>
/// The training images of a target dataset in eval's folder layouts (docs/method.md §7.6, §8.1), with its class list
/// and background threshold. Only images are required: VOC train_aug ids have no SegmentationClass PNG.
/// </summary>
public sealed record TargetImageSet(string Layout, string Split, IReadOnlyList<string> ClassNames, double BackgroundThreshold,
    IReadOnlyList<TargetImage> Images)
{
    public static readonly string[] Layouts = ["voc", "context", "coco-object", "folder"];

    /// <summary>Default training split per layout (docs/method.md §8.1 [A]).</summary>
    public static string DefaultSplit(string layout) => layout switch
    {
        "voc" => "train_aug",
        "context" => "train",
        "coco-object" => "train2017",
        _ => "",
    };

    /// <param name="classNames">Required for the "folder" layout (background first); ignored otherwise.</param>
    public static TargetImageSet Open(string layout, string root, string? split = null, IReadOnlyList<string>? classNames = null,
        double? backgroundThreshold = null)
    {
        split ??= DefaultSplit(layout);
        return layout switch
        {
            "voc" => FromIdList(layout, split, EvalClassLists.Voc, backgroundThreshold ?? 0.95,
                YearFolder(root, "VOC2012"), Path.Combine("ImageSets", "Segmentation", split + ".txt")),
            "context" => FromIdList(layout, split, EvalClassLists.PascalContext, backgroundThreshold ?? 0.35,
                YearFolder(root, "VOC2010"), Path.Combine("ImageSets", "SegmentationContext", split + ".txt")),
            "coco-object" => FromFolder(layout, split, EvalClassLists.CocoObject, backgroundThreshold ?? 0.95, CocoImages(root, split)),
            "folder" => FromFolder(layout, split, classNames ?? throw new ArgumentException("the folder layout needs the class names (background first)"),
                backgroundThreshold ?? 0.95, root),
            _ => throw new ArgumentException($"unknown target layout '{layout}' (known: {string.Join(", ", Layouts)})"),
        };
    }

    private static TargetImageSet FromIdList(string layout, string split, IReadOnlyList<string> classes, double tau, string yearRoot, string listPath)
    {
        var ids = DatasetFiles.ReadIdList(Path.Combine(yearRoot, listPath), layout);
        var images = ids.Select(id => new TargetImage(id, Path.Combine(yearRoot, "JPEGImages", id + ".jpg"))).ToList();
        var missing = images.Where(i => !File.Exists(i.Path)).Select(i => i.Path).ToList();
        if (missing.Count > 0)
            throw new FileNotFoundException($"{layout}: {missing.Count} listed image(s) missing, e.g. {string.Join(", ", missing.Take(5))}");
        return new TargetImageSet(layout, split, classes, tau, images);
    }

    private static TargetImageSet FromFolder(string layout, string split, IReadOnlyList<string> classes, double tau, string folder)
    {
        DatasetFiles.RequireDirectory(folder, layout, "image");
        var images = Directory.EnumerateFiles(folder)
            .Where(f => f.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase)
                        || f.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            .OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => new TargetImage(System.IO.Path.GetFileNameWithoutExtension(f), f)).ToList();
        if (images.Count == 0) throw new InvalidDataException($"{layout}: no images in {folder}");
        return new TargetImageSet(layout, split, classes, tau, images);
    }

    private static string YearFolder(string root, string year)
    {
        foreach (var candidate in new[] { root, Path.Combine(root, "VOCdevkit", year), Path.Combine(root, year) })
            if (Directory.Exists(Path.Combine(candidate, "JPEGImages"))) return Path.GetFullPath(candidate);
        throw new DirectoryNotFoundException($"no JPEGImages folder in {root}, {Path.Combine(root, "VOCdevkit", year)} or {Path.Combine(root, year)}");
    }

    private static string CocoImages(string root, string split)
    {
        foreach (var candidate in new[] { Path.Combine(root, "images", split), Path.Combine(root, "coco", "images", split), Path.Combine(root, split) })
            if (Directory.Exists(candidate)) return candidate;
        throw new DirectoryNotFoundException($"coco-object: no images/{split} folder under {root}");
    }
}
