using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Eval.Metrics;

namespace SSeg.Eval.Datasets;

/// <summary>
/// Pascal Context, 60 classes, mmsegmentation layout (docs/method.md §7.6): <c>VOC2010/JPEGImages/&lt;id&gt;.jpg</c>,
/// <c>VOC2010/SegmentationClassContext/&lt;id&gt;.png</c> (values 0..59 from mmseg's converter; 0 = background is
/// scored), <c>VOC2010/ImageSets/SegmentationContext/&lt;split&gt;.txt</c>. The root may be <c>VOC2010</c> or an
/// ancestor holding <c>VOCdevkit/VOC2010</c>.
/// </summary>
public sealed class PascalContextDataset : ISegmentationDataset
{
    public PascalContextDataset(string root, string split = "val")
    {
        Root = VocDataset.ResolveRoot(root, "VOC2010", "context");
        var images = DatasetFiles.RequireDirectory(Path.Combine(Root, "JPEGImages"), "context", "JPEGImages");
        var labels = DatasetFiles.RequireDirectory(Path.Combine(Root, "SegmentationClassContext"), "context",
            "SegmentationClassContext (made by mmseg's tools/convert_datasets/pascal_context.py)");
        var ids = DatasetFiles.ReadIdList(Path.Combine(Root, "ImageSets", "SegmentationContext", split + ".txt"), "context");
        Samples = DatasetFiles.BuildSamples(ids, id => Path.Combine(images, id + ".jpg"),
            id => Path.Combine(labels, id + ".png"), "context");
    }

    public string Root { get; }
    public string Name => "context";
    public IReadOnlyList<string> ClassNames => EvalClassLists.PascalContext;
    public bool HasBackground => true;
    public int IgnoreIndex => 255;
    public double DefaultBackgroundThreshold => 0.35;
    public IReadOnlyList<EvalSample> Samples { get; }

    public Image<Rgb24> LoadImage(EvalSample sample) => DatasetFiles.LoadRgb(sample.ImagePath);
    public LabelMap LoadLabels(EvalSample sample) => IndexedPng.ReadLabels(sample.LabelPath);
}
