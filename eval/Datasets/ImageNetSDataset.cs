using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Eval.Metrics;

namespace SSeg.Eval.Datasets;

/// <summary>
/// ImageNet-S (50 / 300 / 919 classes; LUSSeg release, as mmseg's ImageNetSDataset reads it). Assumed layout
/// under the root (for example <c>ImageNetS919</c>):
/// <c>validation/&lt;wnid&gt;/&lt;name&gt;.JPEG</c>, <c>validation-segmentation/&lt;wnid&gt;/&lt;name&gt;.png</c> (RGB PNG,
/// class = R + 256·G; 0 = "others", scored like background; 1000 = ignore), and <c>classes.txt</c>: one prompt
/// name per line in class order, the first line being the "others" class (the names are not bundled here; write
/// them from mmseg's ImageNetSDataset.CLASSES919/300/50 or the LUSSeg category list).
/// </summary>
public sealed class ImageNetSDataset : ISegmentationDataset
{
    public const int Ignore = 1000;

    public ImageNetSDataset(string root, string split = "validation")
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"imagenet-s: dataset folder not found: {root}");
        Root = Path.GetFullPath(root);
        var images = DatasetFiles.RequireDirectory(Path.Combine(Root, split), "imagenet-s", split);
        var labels = DatasetFiles.RequireDirectory(Path.Combine(Root, split + "-segmentation"), "imagenet-s", split + "-segmentation");
        ClassNames = ClassNameFile.Read(Path.Combine(Root, "classes.txt"), "imagenet-s");
        var ids = Directory.EnumerateFiles(labels, "*.png", SearchOption.AllDirectories)
            .Select(p => Path.ChangeExtension(Path.GetRelativePath(labels, p), null)).Order(StringComparer.Ordinal).ToList();
        if (ids.Count == 0) throw new InvalidDataException($"imagenet-s: no label PNGs under {labels}");
        Samples = DatasetFiles.BuildSamples(ids, id => Path.Combine(images, id + ".JPEG"), id => Path.Combine(labels, id + ".png"), "imagenet-s");
    }

    public string Root { get; }
    public string Name => "imagenet-s";
    public IReadOnlyList<string> ClassNames { get; }
    public bool HasBackground => true;
    public int IgnoreIndex => Ignore;
    public double DefaultBackgroundThreshold => 0.95;
    public IReadOnlyList<EvalSample> Samples { get; }

    public Image<Rgb24> LoadImage(EvalSample sample) => DatasetFiles.LoadRgb(sample.ImagePath);

    public LabelMap LoadLabels(EvalSample sample)
    {
        var r = IndexedPng.Read(sample.LabelPath);
        if (r.ColorType is not (2 or 6) || r.BitDepth != 8)
            throw new InvalidDataException($"{sample.LabelPath}: ImageNet-S labels must be 8-bit RGB(A) PNGs (class = R + 256·G)");
        var labels = new int[r.Width * r.Height];
        for (int i = 0; i < labels.Length; i++)
            labels[i] = r.Samples[i * r.Channels] + 256 * r.Samples[i * r.Channels + 1];
        return new LabelMap(r.Width, r.Height, labels);
    }
}
