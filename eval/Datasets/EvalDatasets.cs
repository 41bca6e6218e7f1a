namespace SSeg.Eval.Datasets;

/// <summary>Opens datasets by kind name, as given on the command line (<c>--dataset voc=DIR</c>).</summary>
public static class EvalDatasets
{
    public static IReadOnlyList<string> Kinds { get; } = new[] { "voc", "context", "coco-object", "lvis", "imagenet-s" };

    /// <summary>Opens a dataset; <paramref name="split"/> null means the kind's validation split.</summary>
    public static ISegmentationDataset Open(string kind, string root, string? split = null) => kind.ToLowerInvariant() switch
    {
        "voc" => new VocDataset(root, split ?? "val"),
        "context" or "pascal-context" => new PascalContextDataset(root, split ?? "val"),
        "coco-object" or "coco" => new CocoObjectDataset(root, split ?? "val2017"),
        "lvis" => new LvisDataset(root, split ?? "val"),
        "imagenet-s" or "imagenets" => new ImageNetSDataset(root, split ?? "validation"),
        _ => throw new ArgumentException($"unknown dataset kind '{kind}' (known: {string.Join(", ", Kinds)})"),
    };

    /// <summary>The split <c>eval calibrate</c> fits τ on by default: the kind's training split, so the evaluated
    /// validation images are never used to choose it.</summary>
    public static string CalibrationSplit(string kind) => kind.ToLowerInvariant() switch
    {
        "coco-object" or "coco" => "train2017",
        _ => "train",
    };

    /// <summary>Parses "kind=DIR" (or "kind:split=DIR").</summary>
    public static (string Kind, string? Split, string Root) ParseSpec(string spec)
    {
        int eq = spec.IndexOf('=');
        if (eq <= 0 || eq == spec.Length - 1) throw new ArgumentException($"dataset '{spec}' must look like kind=DIR, for example voc=/data/VOCdevkit");
        var kind = spec[..eq];
        string? split = null;
        int colon = kind.IndexOf(':');
        if (colon > 0) { split = kind[(colon + 1)..]; kind = kind[..colon]; }
        return (kind.ToLowerInvariant(), split, spec[(eq + 1)..]);
    }
}
