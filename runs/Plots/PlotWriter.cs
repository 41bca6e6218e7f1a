using ScottPlot;

namespace SSeg.Runs.Plots;

/// <summary>A named line of a line plot (or, with <paramref name="MarkersOnly"/>, a set of points).</summary>
public sealed record PlotSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, bool MarkersOnly = false);

/// <summary>A plot rendered to PNG (for people and the dashboard) and SVG (for scaling in reports).</summary>
public sealed record RenderedPlot(byte[] Png, string Svg);

/// <summary>
/// The project's one plot writer (ScottPlot 5): line plots for training curves and horizontal bar charts for
/// per-class scores. Text is set in DejaVu Sans (Debian package fonts-dejavu-core, installed by test.sh).
/// </summary>
public static class PlotWriter
{
    public const int Width = 900, Height = 500;
    /// <summary>Colour of the mean line of <see cref="Bars"/> (RGB 220, 0, 0).</summary>
    public static readonly Color MeanLineColor = new(220, 0, 0);
    private static readonly Color[] Palette =
    [
        new(0, 0, 0), new(31, 119, 180), new(214, 39, 40), new(44, 160, 44), new(255, 127, 14), new(148, 103, 189),
    ];

    /// <summary>Lines against a shared x axis; non-finite points are left out; <paramref name="logY"/> plots log10 of y.</summary>
    public static RenderedPlot Lines(string title, string xLabel, string yLabel, IReadOnlyList<PlotSeries> series, bool logY = false)
    {
        var plot = new Plot();
        int i = 0;
        bool any = false;
        foreach (var s in series)
        {
            var points = s.X.Zip(s.Y).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second) && (!logY || p.Second > 0)).ToList();
            var color = Palette[i++ % Palette.Length];
            if (points.Count == 0) continue;
            any = true;
            var line = plot.Add.Scatter(points.Select(p => p.First).ToArray(), points.Select(p => logY ? Math.Log10(p.Second) : p.Second).ToArray(), color);
            if (series.Count > 1) line.LegendText = s.Name;
            line.LineWidth = s.MarkersOnly ? 0 : i == 1 ? 2.5f : 1.5f;
            line.MarkerSize = s.MarkersOnly || points.Count == 1 ? 6 : 0;
        }
        if (logY)
        {
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                LabelFormatter = v => Math.Pow(10, v).ToString("G3", System.Globalization.CultureInfo.InvariantCulture),
            };
        }
        if (!any) plot.Add.Annotation("no data yet");
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel + (logY ? " (log scale)" : ""));
        if (series.Count > 1) plot.ShowLegend(Alignment.UpperRight);
        return Render(plot, Width, Height);
    }

    /// <summary>
    /// One horizontal bar per name (value in [0, 1] shown as %; NaN = absent, drawn as a grey stub and marked "n/a"),
    /// with an optional dashed line for the mean. The height grows with the number of bars so every name stays readable.
    /// </summary>
    public static RenderedPlot Bars(string title, string valueLabel, IReadOnlyList<string> names, IReadOnlyList<double> values,
        double? mean = null, IReadOnlyList<(byte R, byte G, byte B)>? colors = null)
    {
        if (names.Count != values.Count) throw new ArgumentException($"{names.Count} names for {values.Count} values");
        var plot = new Plot();
        var bars = new List<Bar>();
        var positions = new double[names.Count];
        var labels = new string[names.Count];
        for (int k = 0; k < names.Count; k++)
        {
            // The first name on top: positions count down.
            double y = names.Count - 1 - k;
            positions[k] = y;
            bool absent = double.IsNaN(values[k]);
            labels[k] = absent ? $"{names[k]} (n/a)" : names[k];
            var c = colors is not null && k < colors.Count ? new Color(colors[k].R, colors[k].G, colors[k].B) : Palette[1];
            bars.Add(new Bar
            {
                Position = y, Value = absent ? 0.5 : 100 * values[k], FillColor = absent ? new Color(190, 190, 190) : c,
                LineColor = new Color(60, 60, 60), Size = 0.8,
            });
        }
        var barPlot = plot.Add.Bars(bars);
        barPlot.Horizontal = true;
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, labels);
        plot.Axes.Left.MajorTickStyle.Length = 0;
        if (mean is { } m && double.IsFinite(m))
        {
            var line = plot.Add.VerticalLine(100 * m, 2, MeanLineColor, LinePattern.Dashed);
            line.LegendText = $"mean {100 * m:F1} %";
            plot.ShowLegend(Alignment.LowerRight);
        }
        plot.Axes.SetLimitsX(0, 100);
        plot.Axes.SetLimitsY(-0.6, names.Count - 0.4);
        plot.Title(title);
        plot.XLabel(valueLabel);
        return Render(plot, Width, Math.Max(300, 110 + 22 * names.Count));
    }

    private static RenderedPlot Render(Plot plot, int width, int height)
    {
        // One sans-serif face for every text, whatever the machine's fontconfig default is (Debian: fonts-dejavu-core).
        plot.Font.Set(FontName);
        plot.Axes.Title.Label.Bold = true;
        return new(plot.GetImageBytes(width, height, ImageFormat.Png), plot.GetSvgXml(width, height));
    }

    private const string FontName = "DejaVu Sans";
}
