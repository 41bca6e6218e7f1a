namespace SSeg.Eval.Datasets;

/// <summary>
/// Fills polygons into a label map by even-odd scanlines through pixel centres: pixel (x, y) is inside when its
/// centre (x + 0.5, y + 0.5) is. Close to, but not bit-identical with, pycocotools' polygon masks.
/// </summary>
public static class PolygonRasterizer
{
    /// <summary>Sets <paramref name="value"/> on every pixel inside the polygon (flat x0,y0,x1,y1,... coordinates).</summary>
    public static void Fill(int[] labels, int width, int height, IReadOnlyList<double> xy, int value)
    {
        int n = xy.Count / 2;
        if (n < 3) return;
        double minY = double.MaxValue, maxY = double.MinValue;
        for (int i = 0; i < n; i++) { minY = Math.Min(minY, xy[2 * i + 1]); maxY = Math.Max(maxY, xy[2 * i + 1]); }
        int y0 = Math.Max(0, (int)Math.Floor(minY - 0.5)), y1 = Math.Min(height - 1, (int)Math.Ceiling(maxY - 0.5));
        var crossings = new List<double>();
        for (int y = y0; y <= y1; y++)
        {
            double cy = y + 0.5;
            crossings.Clear();
            for (int i = 0, j = n - 1; i < n; j = i++)
            {
                double xi = xy[2 * i], yi = xy[2 * i + 1], xj = xy[2 * j], yj = xy[2 * j + 1];
                if (yi <= cy && yj > cy || yj <= cy && yi > cy)
                    crossings.Add(xi + (cy - yi) / (yj - yi) * (xj - xi));
            }
            crossings.Sort();
            for (int k = 0; k + 1 < crossings.Count; k += 2)
            {
                // pixels whose centre lies in [left, right)
                int xs = Math.Max(0, (int)Math.Ceiling(crossings[k] - 0.5));
                int xe = Math.Min(width - 1, (int)Math.Ceiling(crossings[k + 1] - 0.5) - 1);
                for (int x = xs; x <= xe; x++) labels[y * width + x] = value;
            }
        }
    }
}
