using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Eval.Metrics;

namespace SSeg.Eval.Datasets;

/// <summary>
/// LVIS v1 as semantic segmentation (1,203 classes, no background class). LVIS ships instance polygons, so this
/// reader expects them rendered to per-image semantic maps. Assumed layout under the root:
/// <c>images/&lt;split&gt;/&lt;id&gt;.jpg</c> (the COCO 2017 images of the LVIS split),
/// <c>semantic/&lt;split&gt;/&lt;id&gt;.png</c> (8- or 16-bit grayscale; value = LVIS category id 1..1203 in
/// <c>classes.txt</c> order; 0 = not annotated, ignored because LVIS is not exhaustively labelled), and
/// <c>classes.txt</c> (one prompt name per line, category id order, for example "aerosol can").
/// </summary>
public sealed class LvisDataset : ISegmentationDataset
{
    public const int Ignore = 65535;

    public LvisDataset(string root, string split = "val")
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"lvis: dataset folder not found: {root}");
        Root = Path.GetFullPath(root);
        var images = DatasetFiles.RequireDirectory(Path.Combine(Root, "images", split), "lvis", "images/" + split);
        var labels = DatasetFiles.RequireDirectory(Path.Combine(Root, "semantic", split), "lvis", "semantic/" + split);
        ClassNames = ClassNameFile.Read(Path.Combine(Root, "classes.txt"), "lvis");
        var ids = Directory.EnumerateFiles(labels, "*.png").Select(Path.GetFileNameWithoutExtension).OfType<string>()
            .Order(StringComparer.Ordinal).ToList();
        if (ids.Count == 0) throw new InvalidDataException($"lvis: no label PNGs in {labels}");
        Samples = DatasetFiles.BuildSamples(ids, id => Path.Combine(images, id + ".jpg"), id => Path.Combine(labels, id + ".png"), "lvis");
    }

    public string Root { get; }
    public string Name => "lvis";
    public IReadOnlyList<string> ClassNames { get; }
    public bool HasBackground => false;
    public int IgnoreIndex => Ignore;
    public double DefaultBackgroundThreshold => 0.0;
    public IReadOnlyList<EvalSample> Samples { get; }

    public Image<Rgb24> LoadImage(EvalSample sample) => DatasetFiles.LoadRgb(sample.ImagePath);

    /// <summary>Category id v becomes class index v − 1; 0 (not annotated) becomes <see cref="Ignore"/>.</summary>
    public LabelMap LoadLabels(EvalSample sample)
    {
        var map = IndexedPng.ReadLabels(sample.LabelPath);
        var labels = map.Labels;
        for (int i = 0; i < labels.Length; i++) labels[i] = labels[i] == 0 ? Ignore : labels[i] - 1;
        return map;
    }
}
