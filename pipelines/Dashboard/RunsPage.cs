using System.Text;
using SSeg.Pipelines.Runs;

namespace SSeg.Pipelines.Dashboard;

/// <summary>Pipeline runs, newest first, with their stage states; filtered by status and pipeline, paged.</summary>
public sealed class RunsPage : SsegPage
{
    private const int PageSize = 25;
    private static readonly string[] Statuses = [RunStatus.Running, RunStatus.Succeeded, RunStatus.Failed, RunStatus.Cancelled];

    protected override string Title => "Pipeline runs";

    protected override void Render(StringBuilder html)
    {
        var all = Service<RunStore>().List(int.MaxValue);
        var status = QueryValue("status") is { } s && Statuses.Contains(s) ? s : "";
        var pipeline = QueryValue("pipeline")?.Trim() ?? "";
        var runs = all.Where(r => (status == "" || r.Status == status) && (pipeline == "" || r.Pipeline == pipeline)).ToList();
        var paging = Paging.Of(QueryValue("page"), PageSize, runs.Count);
        html.Append("<h1 class=\"page-header\">Pipeline runs</h1>");
        if (all.Count == 0)
        {
            html.Append($"<div class=\"alert alert-info\">No runs yet. Start one from <a href=\"{Link("/sseg/run")}\">Run</a>.</div>");
            return;
        }
        html.Append($"<form method=\"get\" action=\"{Link("/sseg/runs")}\" class=\"form-inline\" id=\"runs-filter\">")
            .Append("<select class=\"form-control\" name=\"status\" id=\"filter-status\"><option value=\"\">any status</option>");
        foreach (var option in Statuses)
            html.Append($"<option value=\"{option}\"{(option == status ? " selected" : "")}>{option}</option>");
        html.Append("</select> <select class=\"form-control\" name=\"pipeline\" id=\"filter-pipeline\"><option value=\"\">any pipeline</option>");
        foreach (var name in all.Select(r => r.Pipeline).Distinct().Order(StringComparer.Ordinal))
            html.Append($"<option value=\"{E(name)}\"{(name == pipeline ? " selected" : "")}>{E(name)}</option>");
        html.Append("</select> <button class=\"btn btn-default\" type=\"submit\" id=\"filter-apply\">Filter</button></form>")
            .Append($"<p id=\"runs-count\">{runs.Count} run(s), page {paging.Page + 1} of {paging.Pages}</p>");
        html.Append("<table class=\"table table-striped\" id=\"runs\"><thead><tr><th>Run</th><th>Pipeline</th><th>Trigger</th><th>Created (UTC)</th><th>Duration</th><th>Status</th><th>Stages</th></tr></thead><tbody>");
        foreach (var run in runs.Skip(paging.Skip).Take(PageSize))
        {
            var stages = string.Join(" → ", run.Definition.Stages.Select((st, i) => $"{E(st.Stage)} <span class=\"label {LabelClass(run.StageStatus(i))}\">{E(run.StageStatus(i))}</span>"));
            var duration = (run.Finished ?? DateTime.UtcNow) - run.Created;
            html.Append($"<tr><td><a href=\"{Link("/sseg/runs/" + run.Id)}\">{E(run.Id)}</a></td><td>{E(run.Pipeline)}</td><td>{E(run.Trigger)}</td>")
                .Append($"<td>{run.Created:yyyy-MM-dd HH:mm:ss}</td><td>{StageTiming.Words(duration)}</td><td><span class=\"label {LabelClass(run.Status)} run-status\">{E(run.Status)}</span></td><td>{stages}</td></tr>");
        }
        html.Append("</tbody></table>");
        var query = $"{Link("/sseg/runs")}?status={U(status)}&pipeline={U(pipeline)}";
        html.Append("<ul class=\"pager\">");
        if (paging.HasPrevious) html.Append($"<li><a id=\"prev-page\" href=\"{query}&page={paging.Page - 1}\">Previous</a></li>");
        if (paging.HasNext) html.Append($"<li><a id=\"next-page\" href=\"{query}&page={paging.Page + 1}\">Next</a></li>");
        html.Append("</ul>");
        if (runs.Skip(paging.Skip).Take(PageSize).Any(r => !RunStatus.IsFinal(r.Status)))
            html.Append("<script>setTimeout(function () { location.reload(); }, 3000);</script>");
    }

    internal static string LabelClass(string status) => status switch
    {
        RunStatus.Succeeded => "label-success",
        RunStatus.Failed => "label-danger",
        RunStatus.Running => "label-info",
        RunStatus.Skipped or RunStatus.Cancelled => "label-warning",
        _ => "label-default",
    };
}
