using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace SSeg.Train.Training;

/// <summary>Loss curves as a PNG drawn pixel by pixel (no drawing package): total loss black, mask loss blue,
/// contrastive (itc + multi-label) red; x = step, y = linear from 0 to the largest value, light grid every 1/4.</summary>
public static class LossPlot
{
    public const int Width = 800, Height = 400, Margin = 20;

    public static byte[] Render(IReadOnlyList<StepMetrics> metrics)
    {
        using var image = new Image<Rgba32>(Width, Height, new Rgba32(255, 255, 255));
        var grid = new Rgba32(225, 225, 225);
        for (int i = 0; i <= 4; i++)
        {
            int y = Margin + i * (Height - 2 * Margin) / 4;
            int x = Margin + i * (Width - 2 * Margin) / 4;
            Line(image, Margin, y, Width - Margin, y, grid);
            Line(image, x, Margin, x, Height - Margin, grid);
        }
        if (metrics.Count > 0)
        {
            var series = new (Func<StepMetrics, double> Get, Rgba32 Color)[]
            {
                (m => m.Loss, new Rgba32(0, 0, 0)),
                (m => m.Mask, new Rgba32(30, 80, 220)),
                (m => m.Itc + m.MultiLabel, new Rgba32(220, 40, 40)),
            };
            double maxY = metrics.SelectMany(m => series.Select(s => s.Get(m))).Where(double.IsFinite).DefaultIfEmpty(1).Max();
            if (maxY <= 0) maxY = 1;
            long minStep = metrics[0].Step, maxStep = Math.Max(metrics[^1].Step, minStep + 1);
            foreach (var (get, color) in series)
            {
                int? px = null, py = null;
                foreach (var m in metrics)
                {
                    double v = get(m);
                    if (!double.IsFinite(v)) continue;
                    int x = Margin + (int)Math.Round((m.Step - minStep) * (Width - 2.0 * Margin) / (maxStep - minStep));
                    int y = Height - Margin - (int)Math.Round(Math.Clamp(v / maxY, 0, 1) * (Height - 2.0 * Margin));
                    if (px is not null) Line(image, px.Value, py!.Value, x, y, color);
                    else image[x, y] = color;
                    (px, py) = (x, y);
                }
            }
        }
        Line(image, Margin, Height - Margin, Width - Margin, Height - Margin, new Rgba32(0, 0, 0));
        Line(image, Margin, Margin, Margin, Height - Margin, new Rgba32(0, 0, 0));
        using var stream = new MemoryStream();
        image.SaveAsPng(stream);
        return stream.ToArray();
    }

    private static void Line(Image<Rgba32> image, int x0, int y0, int x1, int y1, Rgba32 color)
    {
        int steps = Math.Max(Math.Abs(x1 - x0), Math.Abs(y1 - y0));
        for (int i = 0; i <= steps; i++)
        {
            int x = steps == 0 ? x0 : x0 + (int)Math.Round((double)(x1 - x0) * i / steps);
            int y = steps == 0 ? y0 : y0 + (int)Math.Round((double)(y1 - y0) * i / steps);
            if (x >= 0 && x < image.Width && y >= 0 && y < image.Height) image[x, y] = color;
        }
    }
}
