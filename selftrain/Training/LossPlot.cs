using System.Globalization;
using System.Text;

namespace SSeg.Selftrain.Training;

/// <summary>A dependency-free SVG line plot of loss (and lr, scaled) against iteration.</summary>
public static class LossPlot
{
    public static string RenderSvg(IReadOnlyList<TrainMetric> metrics, string title)
    {
        const int W = 720, H = 360, L = 60, R = 20, T = 30, B = 40;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" font-family=\"sans-serif\" font-size=\"11\">");
        sb.Append(CultureInfo.InvariantCulture, $"<rect width=\"{W}\" height=\"{H}\" fill=\"white\"/><text x=\"{L}\" y=\"18\" font-size=\"13\">{Escape(title)}</text>");
        var points = metrics.Where(m => double.IsFinite(m.Loss)).ToList();
        if (points.Count > 0)
        {
            double x0 = points.Min(m => m.Iteration), x1 = Math.Max(points.Max(m => m.Iteration), x0 + 1);
            double y0 = 0, y1 = Math.Max(points.Max(m => m.Loss), 1e-9) * 1.05;
            string Line(Func<TrainMetric, double> value, double scale) => string.Join(" ", points.Select(m =>
                FormattableString.Invariant($"{L + (m.Iteration - x0) / (x1 - x0) * (W - L - R):F1},{H - B - (value(m) * scale - y0) / (y1 - y0) * (H - T - B):F1}")));
            sb.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"{Line(m => m.Loss, 1)}\"/>");
            var maxLr = points.Max(m => m.LearningRate);
            if (maxLr > 0)
                sb.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"#ff7f0e\" stroke-dasharray=\"4 3\" points=\"{Line(m => m.LearningRate, y1 / 1.05 / maxLr)}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{L}\" y1=\"{H - B}\" x2=\"{W - R}\" y2=\"{H - B}\" stroke=\"black\"/><line x1=\"{L}\" y1=\"{T}\" x2=\"{L}\" y2=\"{H - B}\" stroke=\"black\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{L}\" y=\"{H - 20}\">{x0:0}</text><text x=\"{W - R - 40}\" y=\"{H - 20}\">{x1:0}</text><text x=\"{W / 2 - 30}\" y=\"{H - 8}\">iteration</text>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"4\" y=\"{T + 4}\">{y1:G3}</text><text x=\"4\" y=\"{H - B}\">0</text>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{W - 200}\" y=\"18\" fill=\"#1f77b4\">loss</text><text x=\"{W - 160}\" y=\"18\" fill=\"#ff7f0e\">lr (max {maxLr:G3})</text>");
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    private static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
