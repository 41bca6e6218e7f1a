using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Eval.Metrics;

namespace SSeg.Eval.Datasets;

/// <summary>One evaluation image and its label file.</summary>
public sealed record EvalSample(string Id, string ImagePath, string LabelPath);

/// <summary>An evaluation dataset: a class list, a list of samples, and how to read them.</summary>
public interface ISegmentationDataset
{
    /// <summary>Short name used in reports ("voc", "context", "coco-object", ...).</summary>
    string Name { get; }

    /// <summary>Class names for prompts, in label-index order. Index 0 is background when <see cref="HasBackground"/>.</summary>
    IReadOnlyList<string> ClassNames { get; }

    /// <summary>Whether label 0 is a background class (decided by threshold for open-vocabulary models).</summary>
    bool HasBackground { get; }

    /// <summary>Ground-truth value that is not scored (255 for VOC/Context/COCO).</summary>
    int IgnoreIndex { get; }

    /// <summary>The GroupViT background threshold τ for this dataset (docs/method.md §7.4).</summary>
    double DefaultBackgroundThreshold { get; }

    IReadOnlyList<EvalSample> Samples { get; }

    /// <summary>Reads the RGB image of a sample.</summary>
    Image<Rgb24> LoadImage(EvalSample sample);

    /// <summary>Reads the ground-truth labels of a sample (raw class indices, ignore pixels kept).</summary>
    LabelMap LoadLabels(EvalSample sample);
}
