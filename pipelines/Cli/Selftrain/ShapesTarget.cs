using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Eval.Datasets;
using SSeg.Eval.Metrics;
using SSeg.Train.Synthetic;

namespace SSeg.Pipelines.Cli.Selftrain;

/// <summary>
/// Held-out generated shape pictures (train's <see cref="SyntheticShapes"/>) as an S-Seg+ target: train/*.jpg for
/// labelling and val/*.jpg + val/*.png ground truth, read back as an eval dataset.
/// </summary>
internal sealed class ShapesTarget : ISegmentationDataset
{
    public static readonly string[] ClassList = ["background", .. SyntheticShapes.Classes];

    private ShapesTarget(string folder, double threshold)
    {
        var val = Path.Combine(folder, "val");
        Samples = Directory.EnumerateFiles(val, "*.jpg").Order(StringComparer.Ordinal)
            .Select(f => new EvalSample(Path.GetFileNameWithoutExtension(f), f, Path.ChangeExtension(f, ".png"))).ToList();
        DefaultBackgroundThreshold = threshold;
    }

    public string Name => "shapes";
    public IReadOnlyList<string> ClassNames => ClassList;
    public bool HasBackground => true;
    public int IgnoreIndex => 255;
    public double DefaultBackgroundThreshold { get; }
    public IReadOnlyList<EvalSample> Samples { get; }
    public Image<Rgb24> LoadImage(EvalSample sample) => DatasetFiles.LoadRgb(sample.ImagePath);
    public LabelMap LoadLabels(EvalSample sample) => IndexedPng.ReadLabels(sample.LabelPath);

    public static ShapesTarget Write(string folder, int train, int val, int size, int seed, double threshold)
    {
        var rng = new Random(seed);
        foreach (var (split, count) in new[] { ("train", train), ("val", val) })
        {
            var dir = Path.Combine(folder, split);
            Directory.CreateDirectory(dir);
            for (var i = 0; i < count; i++)
            {
                using var sample = SyntheticShapes.Generate(size, rng);
                var stem = Path.Combine(dir, $"{split}-{i:D5}");
                sample.Image.Save(stem + ".jpg", new JpegEncoder { Quality = 95 });
                if (split == "val") IndexedPng.Write(stem + ".png", new LabelMap(size, size, sample.Labels));
            }
        }
        return new ShapesTarget(folder, threshold);
    }
}
