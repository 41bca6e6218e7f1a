using System.Text;
using Hangfire;
using SSeg.Pipelines.Runs;

namespace SSeg.Pipelines.Dashboard;

/// <summary>One run: each stage's state, summary and jobs, with live per-shard progress while it runs.</summary>
public sealed class RunPage(string runId) : SsegPage
{
    protected override string Title => $"Run {runId}";

    protected override void Render(StringBuilder html)
    {
        var run = Service<RunStore>().Get(runId);
        html.Append($"<h1 class=\"page-header\">Run {E(runId)}</h1>");
        if (run is null)
        {
            html.Append("<div class=\"alert alert-warning\">No such run.</div>");
            return;
        }
        html.Append($"<p>Pipeline <strong>{E(run.Pipeline)}</strong>, started by {E(run.Trigger)} at {run.Created:yyyy-MM-dd HH:mm:ss} UTC. ")
            .Append($"Status: <span class=\"label {RunsPage.LabelClass(run.Status)}\" id=\"run-status\">{E(run.Status)}</span></p>");
        if (run.Message is { } message) html.Append($"<div class=\"alert alert-danger\">{E(message)}</div>");

        using var connection = Service<JobStorage>().GetConnection();
        for (var i = 0; i < run.Definition.Stages.Count; i++)
        {
            var stage = run.Definition.Stages[i];
            var status = run.StageStatus(i);
            html.Append($"<div class=\"panel panel-default stage\" data-stage=\"{E(stage.Stage)}\"><div class=\"panel-heading\"><strong>{i + 1}. {E(stage.Stage)}</strong> ")
                .Append($"<span class=\"label {RunsPage.LabelClass(status)} stage-status\">{E(status)}</span>");
            if (run.StageSummary(i) is { } summary) html.Append($" <span class=\"stage-summary\">{E(summary)}</span>");
            html.Append("</div>");
            var jobs = run.StageJobs(i);
            if (jobs.Count > 0)
            {
                var done = Enumerable.Range(0, jobs.Count).Count(k => run.ShardProgress(i, k)?.StartsWith("done", StringComparison.Ordinal) == true);
                var percent = 100 * done / jobs.Count;
                html.Append($"<div class=\"panel-body\"><div class=\"progress\"><div class=\"progress-bar\" role=\"progressbar\" style=\"width:{percent}%\">{done}/{jobs.Count} jobs done</div></div>")
                    .Append("<table class=\"table table-condensed\"><thead><tr><th>Shard</th><th>Job</th><th>State</th><th>Progress</th></tr></thead><tbody>");
                for (var k = 0; k < jobs.Count; k++)
                {
                    var state = connection.GetStateData(jobs[k])?.Name ?? "?";
                    html.Append($"<tr><td>{k}</td><td><a href=\"{Url.JobDetails(jobs[k])}\">#{E(jobs[k])}</a></td><td>{E(state)}</td><td>{E(run.ShardProgress(i, k) ?? "")}</td></tr>");
                }
                html.Append("</tbody></table></div>");
            }
            html.Append("<div class=\"panel-footer\"><small>options: ")
                .Append(E(string.Join(", ", stage.Options.Select(o => $"{o.Key}={o.Value.Replace('\n', ' ')}"))))
                .Append("</small></div></div>");
        }
        if (!RunStatus.IsFinal(run.Status))
            html.Append("<script>setTimeout(function () { location.reload(); }, 1500);</script>");
    }
}
