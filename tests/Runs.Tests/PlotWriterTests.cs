using SSeg.Runs.Plots;

namespace SSeg.Runs.Tests;

public sealed class PlotWriterTests
{
    [Fact]
    public void A_line_plot_is_a_drawn_png_and_an_svg_with_its_title_and_labels()
    {
        var steps = Enumerable.Range(1, 50).Select(i => (double)i).ToList();
        var plot = PlotWriter.Lines("run x: loss", "step", "loss",
            [new PlotSeries("loss", steps, steps.Select(s => 5 / s).ToList()), new PlotSeries("mask", steps, steps.Select(s => double.NaN).ToList())]);
        PlotAssert.IsDrawnPng(plot.Png, PlotWriter.Width, PlotWriter.Height);
        Assert.Contains("<svg", plot.Svg);
        Assert.Contains("run x: loss", plot.Svg);
        Assert.Contains("step", plot.Svg);
    }

    [Fact]
    public void An_empty_plot_still_renders()
    {
        var plot = PlotWriter.Lines("nothing yet", "step", "loss", [new PlotSeries("loss", [], [])]);
        PlotAssert.IsDrawnPng(plot.Png, PlotWriter.Width, PlotWriter.Height);
    }

    [Fact]
    public void Bars_grow_with_the_class_count_and_refuse_mismatched_lists()
    {
        string[] names = ["background", "cat", "dog", "bird", "boat", "car", "bus", "train", "sheep", "cow", "horse", "person"];
        var plot = PlotWriter.Bars("voc", "IoU (%)", names, names.Select((_, i) => i == 2 ? double.NaN : i / 12.0).ToList(), 0.4);
        PlotAssert.IsDrawnPng(plot.Png, PlotWriter.Width, 110 + 22 * names.Length);
        Assert.Contains("dog (n/a)", plot.Svg);
        Assert.Throws<ArgumentException>(() => PlotWriter.Bars("x", "y", ["a"], [0.1, 0.2]));
    }
}
