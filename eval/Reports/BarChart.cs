using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace SSeg.Eval.Reports;

/// <summary>
/// A per-class IoU bar chart drawn with plain pixel loops (no drawing package): one bar per class in class order,
/// coloured with the class colour, grid lines every 10 % (darker at 50 % and 100 %), a red line at the mIoU,
/// NaN classes marked by a short grey stub below the axis; y-axis labels 0/50/100, class indices under the bars
/// (every k-th when they would not fit) and the mIoU value in a small digit font. Class names are in the Markdown report.
/// </summary>
public static class BarChart
{
    private const int PlotHeight = 200, Margin = 10, Left = 24, Bar = 10, Gap = 3, LabelRows = 8;

    public static Image<Rgb24> Draw(IReadOnlyList<double> iou, double meanIoU, IReadOnlyList<Rgb24> colors)
    {
        int n = iou.Count;
        int width = Left + Margin + Math.Max(1, n) * (Bar + Gap);
        int height = PlotHeight + 2 * Margin + 8 + LabelRows;
        var ink = new Rgb24(60, 60, 60);
        var image = new Image<Rgb24>(width, height, new Rgb24(255, 255, 255));
        int baseY = Margin + PlotHeight; // y of IoU 0
        for (int g = 0; g <= 10; g++)
        {
            var c = g % 5 == 0 ? new Rgb24(150, 150, 150) : new Rgb24(225, 225, 225);
            HLine(image, baseY - g * PlotHeight / 10, Left, width - Margin, c);
            if (g % 5 == 0)
            {
                var label = (g * 10).ToString();
                DigitFont.Draw(image, label, Left - 3 - DigitFont.Measure(label), baseY - g * PlotHeight / 10 - DigitFont.Height / 2, ink);
            }
        }
        int labelEvery = 1;
        while (DigitFont.Measure((n - 1).ToString()) + 2 > labelEvery * (Bar + Gap)) labelEvery = labelEvery switch { 1 => 2, 2 => 5, _ => labelEvery * 2 };
        for (int i = 0; i < n; i++)
        {
            int x0 = Left + i * (Bar + Gap);
            if (i % labelEvery == 0)
                DigitFont.Draw(image, i.ToString(), x0 + Bar / 2 - DigitFont.Measure(i.ToString()) / 2, baseY + 9, ink);
            if (double.IsNaN(iou[i]))
            {
                Fill(image, x0, baseY + 2, Bar, 4, new Rgb24(170, 170, 170));
                continue;
            }
            int h = (int)Math.Round(Math.Clamp(iou[i], 0, 1) * PlotHeight);
            Fill(image, x0, baseY - h, Bar, h, colors[i]);
            Outline(image, x0, baseY - h, Bar, h, new Rgb24(60, 60, 60));
        }
        if (!double.IsNaN(meanIoU))
        {
            int y = baseY - (int)Math.Round(Math.Clamp(meanIoU, 0, 1) * PlotHeight);
            HLine(image, y, Left, width - Margin, new Rgb24(220, 0, 0));
            HLine(image, y + 1, Left, width - Margin, new Rgb24(220, 0, 0));
            var label = (100 * meanIoU).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
            DigitFont.Draw(image, label, width - Margin - DigitFont.Measure(label), Math.Max(0, y - DigitFont.Height - 2), new Rgb24(220, 0, 0));
        }
        return image;
    }

    private static void HLine(Image<Rgb24> image, int y, int x0, int x1, Rgb24 c)
    {
        if (y < 0 || y >= image.Height) return;
        for (int x = Math.Max(0, x0); x < Math.Min(image.Width, x1); x++) image[x, y] = c;
    }

    private static void Fill(Image<Rgb24> image, int x0, int y0, int w, int h, Rgb24 c)
    {
        for (int y = Math.Max(0, y0); y < Math.Min(image.Height, y0 + h); y++)
        for (int x = Math.Max(0, x0); x < Math.Min(image.Width, x0 + w); x++)
            image[x, y] = c;
    }

    private static void Outline(Image<Rgb24> image, int x0, int y0, int w, int h, Rgb24 c)
    {
        if (h <= 0) return;
        HLine(image, y0, x0, x0 + w, c);
        for (int y = y0; y < y0 + h; y++)
        {
            if (y < 0 || y >= image.Height) continue;
            image[x0, y] = c;
            image[Math.Min(image.Width - 1, x0 + w - 1), y] = c;
        }
    }
}
