using System.Text;
using SSeg.Pipelines.Runs;

namespace SSeg.Pipelines.Dashboard;

/// <summary>Log lines as a collapsible table: time, level, (job), message.</summary>
internal static class JobLogView
{
    public static void Append(StringBuilder html, string css, string title, IReadOnlyList<(string JobId, JobLogLine Line)> lines, bool withJob)
    {
        html.Append($"<details class=\"{css}\"><summary>{DisplayText.Html(title)} ({lines.Count} line{(lines.Count == 1 ? "" : "s")})</summary>");
        if (lines.Count == 0)
        {
            html.Append("<p class=\"text-muted\">No log lines.</p></details>");
            return;
        }
        html.Append("<table class=\"table table-condensed log-lines\" style=\"font-family:monospace;font-size:12px\"><tbody>");
        foreach (var (jobId, line) in lines)
        {
            var level = line.Level switch
            {
                "Error" or "Critical" => "danger",
                "Warning" => "warning",
                _ => "",
            };
            html.Append($"<tr class=\"{level}\"><td style=\"white-space:nowrap\">{line.TimeUtc:HH:mm:ss.fff}</td><td class=\"log-level\">{DisplayText.Html(line.Level)}</td>")
                .Append(withJob ? $"<td>#{DisplayText.Html(jobId)}</td>" : "")
                .Append($"<td class=\"log-message\">{DisplayText.Html(line.Message)}</td></tr>");
        }
        html.Append("</tbody></table></details>");
    }
}
