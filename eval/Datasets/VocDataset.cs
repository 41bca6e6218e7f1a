using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Eval.Metrics;

namespace SSeg.Eval.Datasets;

/// <summary>
/// Pascal VOC 2012 segmentation (docs/method.md §7.6): <c>JPEGImages/&lt;id&gt;.jpg</c>,
/// <c>SegmentationClass/&lt;id&gt;.png</c> (palette PNG read as raw indices: 0 background, 1..20, 255 ignore),
/// <c>ImageSets/Segmentation/&lt;split&gt;.txt</c>. The root may be <c>VOC2012</c> itself or any ancestor
/// holding <c>VOCdevkit/VOC2012</c> or <c>VOC2012</c>.
/// </summary>
public sealed class VocDataset : ISegmentationDataset
{
    public VocDataset(string root, string split = "val")
    {
        Root = ResolveRoot(root, "VOC2012", "voc");
        var images = DatasetFiles.RequireDirectory(Path.Combine(Root, "JPEGImages"), "voc", "JPEGImages");
        var labels = DatasetFiles.RequireDirectory(Path.Combine(Root, "SegmentationClass"), "voc", "SegmentationClass");
        var ids = DatasetFiles.ReadIdList(Path.Combine(Root, "ImageSets", "Segmentation", split + ".txt"), "voc");
        Samples = DatasetFiles.BuildSamples(ids, id => Path.Combine(images, id + ".jpg"),
            id => Path.Combine(labels, id + ".png"), "voc");
    }

    public string Root { get; }
    public string Name => "voc";
    public IReadOnlyList<string> ClassNames => EvalClassLists.Voc;
    public bool HasBackground => true;
    public int IgnoreIndex => 255;
    public double DefaultBackgroundThreshold => 0.95;
    public IReadOnlyList<EvalSample> Samples { get; }

    public Image<Rgb24> LoadImage(EvalSample sample) => DatasetFiles.LoadRgb(sample.ImagePath);
    public LabelMap LoadLabels(EvalSample sample) => IndexedPng.ReadLabels(sample.LabelPath);

    /// <summary>
    /// Finds the year folder (for example VOC2012) at <paramref name="root"/>, root/VOCdevkit/year or root/year.
    /// </summary>
    internal static string ResolveRoot(string root, string yearFolder, string datasetName)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"{datasetName}: dataset folder not found: {root}");
        foreach (var candidate in new[] { root, Path.Combine(root, "VOCdevkit", yearFolder), Path.Combine(root, yearFolder) })
            if (Directory.Exists(Path.Combine(candidate, "JPEGImages")))
                return Path.GetFullPath(candidate);
        throw new DirectoryNotFoundException(
            $"{datasetName}: no JPEGImages folder in {root}, {Path.Combine(root, "VOCdevkit", yearFolder)} or {Path.Combine(root, yearFolder)}");
    }
}
