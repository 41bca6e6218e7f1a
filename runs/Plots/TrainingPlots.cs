namespace SSeg.Runs.Plots;

/// <summary>
/// The plots of a run folder, redrawn whenever metrics are written: <c>plots/loss.png</c> (total loss and the
/// trainer's loss terms against step) and <c>plots/lr.png</c> (the whole learning-rate schedule, with the rates of the
/// logged steps marked), each with an SVG twin.
/// </summary>
public static class TrainingPlots
{
    public const string LossFile = "plots/loss.png";
    public const string LearningRateFile = "plots/lr.png";

    public static async Task WriteAsync(RunFolder run, IReadOnlyList<MetricsLine> metrics, string title, IReadOnlyList<string> lossFields,
        Func<long, double> schedule, long totalSteps, CancellationToken ct)
    {
        var steps = metrics.Select(m => (double)m.Step).ToList();
        var losses = new List<PlotSeries> { new("loss", steps, metrics.Select(m => m.Loss).ToList()) };
        losses.AddRange(lossFields.Select(f => new PlotSeries(f, steps, metrics.Select(m => m.Field(f)).ToList())));
        await WriteAsync(run, LossFile, PlotWriter.Lines($"{title}: loss", "step", "loss", losses), ct);
        // At most ~1000 points of the schedule: enough for a smooth curve at 900 px. A metrics line at step s (steps
        // done) carries the rate step s − 1 used, so the schedule is drawn at x = s + 1 for the rate of step s.
        var stride = Math.Max(1, totalSteps / 1000);
        var planned = new List<long>();
        for (long s = 0; s < totalSteps; s += stride) planned.Add(s);
        var lr = new List<PlotSeries>
        {
            new("schedule", planned.Select(s => s + 1.0).ToList(), planned.Select(schedule).ToList()),
            new("logged steps", steps, metrics.Select(m => m.Lr).ToList(), MarkersOnly: true),
        };
        await WriteAsync(run, LearningRateFile, PlotWriter.Lines($"{title}: learning rate", "step", "learning rate", lr), ct);
    }

    private static async Task WriteAsync(RunFolder run, string png, RenderedPlot plot, CancellationToken ct)
    {
        await run.WriteBytesAsync(png, plot.Png, ct);
        await run.WriteTextAsync(Path.ChangeExtension(png, ".svg"), plot.Svg, ct);
    }
}
