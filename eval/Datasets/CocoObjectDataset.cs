using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Eval.Metrics;

namespace SSeg.Eval.Datasets;

/// <summary>
/// COCO-Object (GroupViT layout, docs/method.md §7.6): <c>coco/images/&lt;split&gt;/&lt;id&gt;.jpg</c> and
/// <c>coco/annotations/&lt;split&gt;/&lt;id&gt;_instanceTrainIds.png</c> (0 background, 1..80 things; built by
/// <c>eval convert-coco-object</c>). Every image in the image folder is a sample. The root may be the
/// <c>coco</c> folder or its parent.
/// </summary>
public sealed class CocoObjectDataset : ISegmentationDataset
{
    public const string LabelSuffix = "_instanceTrainIds.png";

    public CocoObjectDataset(string root, string split = "val2017")
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"coco-object: dataset folder not found: {root}");
        Root = Path.GetFullPath(Directory.Exists(Path.Combine(root, "images")) ? root : Path.Combine(root, "coco"));
        var images = DatasetFiles.RequireDirectory(Path.Combine(Root, "images", split), "coco-object", "images/" + split);
        var labels = DatasetFiles.RequireDirectory(Path.Combine(Root, "annotations", split), "coco-object",
            $"annotations/{split} (run `eval convert-coco-object` first)");
        var ids = Directory.EnumerateFiles(images, "*.jpg").Select(Path.GetFileNameWithoutExtension).OfType<string>()
            .Order(StringComparer.Ordinal).ToList();
        if (ids.Count == 0) throw new InvalidDataException($"coco-object: no .jpg images in {images}");
        Samples = DatasetFiles.BuildSamples(ids, id => Path.Combine(images, id + ".jpg"),
            id => Path.Combine(labels, id + LabelSuffix), "coco-object");
    }

    public string Root { get; }
    public string Name => "coco-object";
    public IReadOnlyList<string> ClassNames => EvalClassLists.CocoObject;
    public bool HasBackground => true;
    public int IgnoreIndex => 255;
    public double DefaultBackgroundThreshold => 0.95;
    public IReadOnlyList<EvalSample> Samples { get; }

    public Image<Rgb24> LoadImage(EvalSample sample) => DatasetFiles.LoadRgb(sample.ImagePath);
    public LabelMap LoadLabels(EvalSample sample) => IndexedPng.ReadLabels(sample.LabelPath);
}
