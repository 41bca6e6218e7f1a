using System.Globalization;

namespace SSeg.Pipelines.Runs;

/// <summary>
/// The next firings of a 5-field cron expression (minute hour day-of-month month day-of-week, UTC), for showing a
/// schedule's upcoming runs; Hangfire keeps only the next one. Fields take *, numbers, names (JAN, MON), ranges,
/// lists and steps. Day-of-month and day-of-week combine as in cron: either matches when both are restricted.
/// Hangfire remains the one that fires; an expression this reader does not take yields no list, never a wrong one.
/// </summary>
public static class CronSchedule
{
    private static readonly string[] Months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] Days = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    /// <summary>Up to <paramref name="count"/> firings after <paramref name="fromUtc"/> within a year; empty when the expression is not read.</summary>
    public static IReadOnlyList<DateTime> Next(string cron, DateTime fromUtc, int count)
    {
        var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5) return [];
        var minutes = Parse(fields[0], 0, 59, null);
        var hours = Parse(fields[1], 0, 23, null);
        var doms = Parse(fields[2], 1, 31, null);
        var months = Parse(fields[3], 1, 12, Months);
        var dows = Parse(fields[4], 0, 7, Days); // 0 and 7 are both Sunday
        if (dows?.Contains(7) == true) dows.Add(0);
        if (minutes is null || hours is null || doms is null || months is null || dows is null) return [];
        var domAny = fields[2] is "*" or "?";
        var dowAny = fields[4] is "*" or "?";
        var result = new List<DateTime>();
        var t = new DateTime(fromUtc.Year, fromUtc.Month, fromUtc.Day, fromUtc.Hour, fromUtc.Minute, 0, DateTimeKind.Utc).AddMinutes(1);
        var end = fromUtc.AddYears(1);
        while (result.Count < count && t <= end)
        {
            if (!months.Contains(t.Month)) { t = new DateTime(t.Year, t.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1); continue; }
            var dayMatches = domAny && dowAny ? true
                : domAny ? dows.Contains((int)t.DayOfWeek)
                : dowAny ? doms.Contains(t.Day)
                : doms.Contains(t.Day) || dows.Contains((int)t.DayOfWeek);
            if (!dayMatches) { t = t.Date.AddDays(1); continue; }
            if (!hours.Contains(t.Hour)) { t = t.Date.AddHours(t.Hour + 1); continue; }
            if (minutes.Contains(t.Minute)) result.Add(t);
            t = t.AddMinutes(1);
        }
        return result;
    }

    /// <summary>"in 2 h 05 min", "in 3 days 4 h", "in 45 s".</summary>
    public static string InWords(DateTime whenUtc, DateTime nowUtc)
    {
        var span = whenUtc - nowUtc;
        if (span < TimeSpan.Zero) return "due now";
        return span.TotalDays >= 1 ? $"in {(int)span.TotalDays} day{((int)span.TotalDays == 1 ? "" : "s")} {span.Hours} h"
            : span.TotalHours >= 1 ? $"in {(int)span.TotalHours} h {span.Minutes:00} min"
            : span.TotalMinutes >= 1 ? $"in {(int)span.TotalMinutes} min"
            : $"in {Math.Max(1, (int)span.TotalSeconds)} s";
    }

    private static HashSet<int>? Parse(string field, int min, int max, string[]? names)
    {
        var values = new HashSet<int>();
        foreach (var part in field.Split(','))
        {
            var step = 1;
            var range = part;
            var slash = part.IndexOf('/');
            if (slash >= 0)
            {
                if (!int.TryParse(part[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out step) || step < 1) return null;
                range = part[..slash];
            }
            int from, to;
            if (range is "*" or "?") (from, to) = (min, max);
            else
            {
                var dash = range.IndexOf('-');
                if (Value(dash < 0 ? range : range[..dash], names, min) is not { } a) return null;
                from = a;
                if (dash < 0) to = slash >= 0 ? max : a;
                else if (Value(range[(dash + 1)..], names, min) is { } b) to = b;
                else return null;
            }
            if (from < min || to > max || from > to) return null;
            for (var v = from; v <= to; v += step) values.Add(v);
        }
        return values;
    }

    private static int? Value(string text, string[]? names, int min)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return n;
        var index = names is null ? -1 : Array.IndexOf(names, text.ToUpperInvariant());
        return index < 0 ? null : index + (min == 1 ? 1 : 0);
    }
}
