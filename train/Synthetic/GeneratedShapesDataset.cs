using SSeg.Runs;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Eval.Datasets;
using SSeg.Eval.Metrics;

namespace SSeg.Train.Synthetic;

/// <summary>
/// Generated shape pictures as an eval dataset (background + <see cref="SyntheticShapes.Classes"/>), drawn on demand:
/// sample i of split seed s is always the same picture. Distinct split seeds give disjoint splits, e.g. one to
/// calibrate τ on and one to evaluate.
/// </summary>
public sealed class GeneratedShapesDataset(int images, int size, int splitSeed) : ISegmentationDataset
{
    public static readonly string[] ClassList = ["background", .. SyntheticShapes.Classes];

    public string Name => "shapes";
    public IReadOnlyList<string> ClassNames => ClassList;
    public bool HasBackground => true;
    public int IgnoreIndex => 255;
    public double DefaultBackgroundThreshold => 0.95;
    public IReadOnlyList<EvalSample> Samples { get; } =
        Enumerable.Range(0, images).Select(i => new EvalSample(i.ToString(System.Globalization.CultureInfo.InvariantCulture), "", "")).ToArray();

    public ShapeSample Generate(EvalSample sample) => Generate(int.Parse(sample.Id, System.Globalization.CultureInfo.InvariantCulture));

    public ShapeSample Generate(int index) => SyntheticShapes.Generate(size, new Random(SeedMixer.Mix(splitSeed, 1_000_003, index)));

    public Image<Rgb24> LoadImage(EvalSample sample) => Generate(sample).Image;

    public LabelMap LoadLabels(EvalSample sample)
    {
        using var s = Generate(sample);
        return new LabelMap(size, size, s.Labels);
    }
}
