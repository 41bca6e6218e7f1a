using System.Text;
using SSeg.Pipelines.Runs;

namespace SSeg.Pipelines.Dashboard;

/// <summary>Pipeline runs, newest first, with their stage states.</summary>
public sealed class RunsPage : SsegPage
{
    protected override string Title => "Pipeline runs";

    protected override void Render(StringBuilder html)
    {
        var runs = Service<RunStore>().List(100);
        html.Append("<h1 class=\"page-header\">Pipeline runs</h1>");
        if (runs.Count == 0)
        {
            html.Append($"<div class=\"alert alert-info\">No runs yet. Start one from <a href=\"{Link("/sseg/run")}\">Run</a>.</div>");
            return;
        }
        html.Append("<table class=\"table table-striped\" id=\"runs\"><thead><tr><th>Run</th><th>Pipeline</th><th>Trigger</th><th>Created (UTC)</th><th>Status</th><th>Stages</th></tr></thead><tbody>");
        foreach (var run in runs)
        {
            var stages = string.Join(" → ", run.Definition.Stages.Select((s, i) => $"{E(s.Stage)} <span class=\"label {LabelClass(run.StageStatus(i))}\">{E(run.StageStatus(i))}</span>"));
            html.Append($"<tr><td><a href=\"{Link("/sseg/runs/" + run.Id)}\">{E(run.Id)}</a></td><td>{E(run.Pipeline)}</td><td>{E(run.Trigger)}</td>")
                .Append($"<td>{run.Created:yyyy-MM-dd HH:mm:ss}</td><td><span class=\"label {LabelClass(run.Status)}\">{E(run.Status)}</span></td><td>{stages}</td></tr>");
        }
        html.Append("</tbody></table>");
        if (runs.Any(r => !RunStatus.IsFinal(r.Status)))
            html.Append("<script>setTimeout(function () { location.reload(); }, 3000);</script>");
    }

    internal static string LabelClass(string status) => status switch
    {
        RunStatus.Succeeded => "label-success",
        RunStatus.Failed => "label-danger",
        RunStatus.Running => "label-info",
        RunStatus.Skipped => "label-warning",
        _ => "label-default",
    };
}
