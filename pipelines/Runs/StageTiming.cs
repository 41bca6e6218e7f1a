using System.Globalization;
using System.Text.RegularExpressions;

namespace SSeg.Pipelines.Runs;

/// <summary>
/// A stage's times and pace from its run fields: start, end, duration, throughput (units its jobs report, e.g.
/// images or steps, per second) and, while it runs, the time left at the pace so far.
/// </summary>
public sealed partial record StageTiming(DateTime? Started, DateTime? Finished, TimeSpan? Duration, double Fraction,
    long UnitsDone, string? Unit, double? UnitsPerSecond, TimeSpan? Eta)
{
    public static StageTiming Of(RunRecord run, int stage, DateTime nowUtc)
    {
        var started = run.StageStarted(stage);
        var status = run.StageStatus(stage);
        var finished = run.StageFinished(stage) ?? (RunStatus.IsFinal(status) || status == RunStatus.Failed ? run.Finished : null);
        var end = finished ?? (RunStatus.IsFinal(run.Status) ? run.Finished : null) ?? nowUtc;
        TimeSpan? duration = started is { } s ? end - s : null;
        var jobs = run.StageJobs(stage).Count;
        double fraction = 0;
        long units = 0;
        string? unit = null;
        for (var k = 0; k < jobs; k++)
        {
            var progress = run.ShardProgress(stage, k) ?? "";
            var parsed = Parse(progress);
            if (parsed is { } p) { units += p.Done; unit ??= p.Unit; }
            fraction += progress.StartsWith("done", StringComparison.Ordinal) ? 1
                : parsed is { Total: > 0 } q ? Math.Clamp((double)q.Done / q.Total, 0, 1) : 0;
        }
        fraction = jobs == 0 ? (status == RunStatus.Succeeded ? 1 : 0) : fraction / jobs;
        double? rate = duration is { TotalSeconds: > 0 } d && units > 0 ? units / d.TotalSeconds : null;
        TimeSpan? eta = status == RunStatus.Running && duration is { TotalSeconds: > 0 } e && fraction is > 0 and < 1
            ? TimeSpan.FromSeconds(e.TotalSeconds * (1 - fraction) / fraction)
            : null;
        return new StageTiming(started, finished, duration, fraction, units, unit, rate, eta);
    }

    /// <summary>"12m 03s", "1h 02m", "45s".</summary>
    public static string Words(TimeSpan span) => span.TotalHours >= 1
        ? $"{(int)span.TotalHours}h {span.Minutes:00}m"
        : span.TotalMinutes >= 1 ? $"{span.Minutes}m {span.Seconds:00}s" : $"{Math.Max(0, span.TotalSeconds):0}s";

    // Progress lines look like "37/64 images (note)" or "done: 64/64 images"; see StageProgress.ToString.
    private static (long Done, long Total, string Unit)? Parse(string progress)
    {
        var m = ProgressPattern().Match(progress);
        if (!m.Success) return null;
        return (long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture),
                m.Groups[2].Success ? long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) : 0,
                m.Groups[3].Value);
    }

    [GeneratedRegex(@"^(?:done: )?(\d+)(?:/(\d+))? (\S+)")]
    private static partial Regex ProgressPattern();
}
