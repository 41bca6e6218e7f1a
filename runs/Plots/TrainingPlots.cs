namespace SSeg.Runs.Plots;

/// <summary>
/// The plots of a run folder, redrawn whenever metrics are written: <c>plots/loss.png</c> (total loss and the
/// trainer's loss terms against step) and <c>plots/lr.png</c> (learning rate against step), each with an SVG twin.
/// </summary>
public static class TrainingPlots
{
    public const string LossFile = "plots/loss.png";
    public const string LearningRateFile = "plots/lr.png";

    public static async Task WriteAsync(RunFolder run, IReadOnlyList<MetricsLine> metrics, string title, IReadOnlyList<string> lossFields,
        CancellationToken ct)
    {
        var steps = metrics.Select(m => (double)m.Step).ToList();
        var losses = new List<PlotSeries> { new("loss", steps, metrics.Select(m => m.Loss).ToList()) };
        losses.AddRange(lossFields.Select(f => new PlotSeries(f, steps, metrics.Select(m => m.Field(f)).ToList())));
        await WriteAsync(run, LossFile, PlotWriter.Lines($"{title}: loss", "step", "loss", losses), ct);
        var lr = new List<PlotSeries> { new("learning rate", steps, metrics.Select(m => m.Lr).ToList()) };
        await WriteAsync(run, LearningRateFile, PlotWriter.Lines($"{title}: learning rate", "step", "learning rate", lr), ct);
    }

    private static async Task WriteAsync(RunFolder run, string png, RenderedPlot plot, CancellationToken ct)
    {
        await run.WriteBytesAsync(png, plot.Png, ct);
        await run.WriteTextAsync(Path.ChangeExtension(png, ".svg"), plot.Svg, ct);
    }
}
