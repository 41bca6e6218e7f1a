namespace SSeg.Eval.Protocol;

/// <summary>One window of the slide grid: rows [Y1, Y2), columns [X1, X2).</summary>
public readonly record struct Window(int Y1, int Y2, int X1, int X2)
{
    public int Height => Y2 - Y1;
    public int Width => X2 - X1;
}

/// <summary>
/// mmseg's slide_inference grid (docs/method.md §7.3): n = max(size − crop + stride − 1, 0) // stride + 1 per axis;
/// window i starts at i·stride, ends at min(start + crop, size) and is shifted back to start max(end − crop, 0).
/// Images smaller than the crop get one smaller window, never padding.
/// </summary>
public static class SlidingWindowGrid
{
    public static int Count(int size, int crop, int stride) => Math.Max(size - crop + stride - 1, 0) / stride + 1;

    public static IReadOnlyList<Window> Windows(int height, int width, int crop, int stride)
    {
        if (height <= 0 || width <= 0) throw new ArgumentOutOfRangeException(nameof(height), $"bad image size {width}x{height}");
        int nh = Count(height, crop, stride), nw = Count(width, crop, stride);
        var windows = new List<Window>(nh * nw);
        for (int i = 0; i < nh; i++)
        for (int j = 0; j < nw; j++)
        {
            int y2 = Math.Min(i * stride + crop, height), x2 = Math.Min(j * stride + crop, width);
            windows.Add(new Window(Math.Max(y2 - crop, 0), y2, Math.Max(x2 - crop, 0), x2));
        }
        return windows;
    }
}
