namespace SSeg.Eval.Metrics;

/// <summary>A row-major map of integer class labels (ground truth or prediction).</summary>
public sealed class LabelMap
{
    public LabelMap(int width, int height, int[] labels)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"bad size {width}x{height}");
        if (labels.Length != checked(width * height))
            throw new ArgumentException($"{labels.Length} labels for a {width}x{height} map");
        Width = width;
        Height = height;
        Labels = labels;
    }

    public LabelMap(int width, int height) : this(width, height, new int[checked(width * height)]) { }

    public int Width { get; }
    public int Height { get; }
    public int[] Labels { get; }

    public int this[int x, int y]
    {
        get => Labels[y * Width + x];
        set => Labels[y * Width + x] = value;
    }
}
