using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using SSeg.Eval.Protocol;
using SSeg.Runs.Plots;

namespace SSeg.Eval.Reports;

/// <summary>
/// <c>plots/class-iou.png</c> of a report: for each dataset a panel of per-class IoU bars in the label colours
/// (class order as in the tables; grey "n/a" = class absent from ground truth and predictions; dashed line = mIoU),
/// panels stacked top to bottom in report order.
/// </summary>
public static class ClassIoUPlot
{
    public const string FileName = "plots/class-iou.png";

    public static Image<Rgb24> Render(IReadOnlyList<DatasetEvaluation> datasets, Func<DatasetEvaluation, int> colorOffset)
    {
        var panels = datasets.Select(d =>
        {
            var colors = Enumerable.Range(0, d.ScoredClassNames.Count)
                .Select(i => LabelColors.For(i + colorOffset(d), -1)).Select(c => (c.R, c.G, c.B)).ToList();
            var plot = PlotWriter.Bars($"{d.Dataset}: per-class IoU of {d.Scorer}", "IoU (%)", d.ScoredClassNames, d.Metrics.PerClassIoU(), d.MeanIoU, colors);
            return Image.Load<Rgb24>(plot.Png);
        }).ToList();
        try
        {
            var canvas = new Image<Rgb24>(Math.Max(1, panels.Select(p => p.Width).DefaultIfEmpty(1).Max()),
                Math.Max(1, panels.Sum(p => p.Height)), new Rgb24(255, 255, 255));
            int y = 0;
            foreach (var p in panels)
            {
                var top = y;
                canvas.Mutate(c => c.DrawImage(p, new Point(0, top), 1f));
                y += p.Height;
            }
            return canvas;
        }
        finally
        {
            foreach (var p in panels) p.Dispose();
        }
    }
}
