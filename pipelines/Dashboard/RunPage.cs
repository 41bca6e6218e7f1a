using System.Text;
using Hangfire;
using Hangfire.Storage;
using SSeg.Pipelines.Runs;

namespace SSeg.Pipelines.Dashboard;

/// <summary>
/// One run: each stage's state, times, pace, jobs with their errors and logs, its plots, and the operator's
/// actions (cancel the run, retry a stage's failed jobs, rerun from a stage); live while it runs.
/// </summary>
public sealed class RunPage(string runId) : SsegPage
{
    /// <summary>Jobs of a stage whose logs are read for the page; a stage with thousands of shards shows the first ones.</summary>
    private const int MaxLoggedJobs = 100;

    protected override string Title => $"Run {runId}";

    protected override void Render(StringBuilder html)
    {
        html.Append($"<h1 class=\"page-header\">Run {E(runId)}</h1>");
        if (IsPost) Act(html);
        var run = Service<RunStore>().Get(runId);
        if (run is null)
        {
            html.Append("<div class=\"alert alert-warning\">No such run.</div>");
            return;
        }
        html.Append($"<p>Pipeline <strong>{E(run.Pipeline)}</strong>, started by {E(run.Trigger)} at {run.Created:yyyy-MM-dd HH:mm:ss} UTC")
            .Append(run.Finished is { } end ? $", ended {end:yyyy-MM-dd HH:mm:ss} UTC ({StageTiming.Words(end - run.Created)})" : "")
            .Append($". Status: <span class=\"label {RunsPage.LabelClass(run.Status)}\" id=\"run-status\">{E(run.Status)}</span> ");
        if (!RunStatus.IsFinal(run.Status)) html.Append(ActionButton("cancel", -1, "Cancel run", "btn-danger", "cancel-run"));
        html.Append("</p>");
        if (run.Message is { } message) html.Append($"<div class=\"alert alert-danger\" id=\"run-message\">{E(message)}</div>");

        using var connection = Service<JobStorage>().GetConnection();
        var logs = Service<JobLogs>();
        var now = DateTime.UtcNow;
        for (var i = 0; i < run.Definition.Stages.Count; i++) Stage(html, run, i, connection, logs, now);
        if (!RunStatus.IsFinal(run.Status))
            // Reloads for live progress, but not while the reader has a log open; a GET, so an action is never posted twice.
            html.Append("<script>setInterval(function () { if (!document.querySelector('details[open]')) location.replace(location.pathname); }, 1500);</script>");
    }

    private void Stage(StringBuilder html, RunRecord run, int i, IStorageConnection connection, JobLogs logs, DateTime now)
    {
        var stage = run.Definition.Stages[i];
        var status = run.StageStatus(i);
        html.Append($"<div class=\"panel panel-default stage\" data-stage=\"{E(stage.Stage)}\" id=\"stage-{i}\"><div class=\"panel-heading\"><strong>{i + 1}. {E(stage.Stage)}</strong> ")
            .Append($"<span class=\"label {RunsPage.LabelClass(status)} stage-status\">{E(status)}</span>");
        if (run.StageSummary(i) is { } summary) html.Append($" <span class=\"stage-summary\">{E(summary)}</span>");
        html.Append("<span class=\"pull-right\">");
        var jobs = run.StageJobs(i);
        var states = jobs.Select(id => connection.GetStateData(id)).ToList();
        if (states.Any(s => s?.Name is "Failed" or "Deleted") && !RunStatus.IsFinal(status) || status is RunStatus.Failed or RunStatus.Cancelled && jobs.Count > 0)
            html.Append(ActionButton("retry", i, "Retry failed jobs", "btn-warning", $"retry-{i}"));
        if (RunStatus.IsFinal(run.Status)) html.Append(' ').Append(ActionButton("rerun", i, "Rerun from here", "btn-default", $"rerun-{i}"));
        html.Append("</span></div>");

        var timing = StageTiming.Of(run, i, now);
        html.Append("<div class=\"panel-body\"><p class=\"stage-timing\"><small>");
        if (timing.Started is { } started) html.Append($"started {started:yyyy-MM-dd HH:mm:ss}");
        if (timing.Finished is { } finished) html.Append($", ended {finished:HH:mm:ss}");
        if (timing.Duration is { } duration) html.Append($", <span class=\"stage-duration\">duration {StageTiming.Words(duration)}</span>");
        if (timing.UnitsPerSecond is { } rate) html.Append($", <span class=\"stage-throughput\">{rate:0.##} {E(timing.Unit)}/s</span>");
        if (timing.Eta is { } eta) html.Append($", <span class=\"stage-eta\">about {StageTiming.Words(eta)} left</span>");
        if (timing.Started is null) html.Append("not started");
        html.Append("</small></p>");

        if (jobs.Count > 0)
        {
            var done = Enumerable.Range(0, jobs.Count).Count(k => run.ShardProgress(i, k)?.StartsWith("done", StringComparison.Ordinal) == true);
            html.Append($"<div class=\"progress\"><div class=\"progress-bar\" role=\"progressbar\" style=\"width:{100 * done / jobs.Count}%\">{done}/{jobs.Count} jobs done</div></div>")
                .Append("<table class=\"table table-condensed jobs\"><thead><tr><th>Shard</th><th>Job</th><th>State</th><th>Progress</th><th>Log</th></tr></thead><tbody>");
            var stageLines = new List<(string, JobLogLine)>();
            for (var k = 0; k < jobs.Count; k++)
            {
                var state = states[k];
                var lines = k < MaxLoggedJobs ? logs.Read(jobs[k]).Select(l => (jobs[k], l)).ToList() : [];
                stageLines.AddRange(lines);
                html.Append($"<tr class=\"job\" data-job=\"{E(jobs[k])}\"><td>{k}</td><td><a href=\"{Url.JobDetails(jobs[k])}\">#{E(jobs[k])}</a></td><td class=\"job-state\">{E(state?.Name ?? "?")}</td>")
                    .Append($"<td>{E(run.ShardProgress(i, k) ?? "")}");
                if (state?.Name is "Failed" && state.Data is { } data)
                    html.Append($"<div class=\"job-error text-danger\"><strong>{E(data.TryGetValue("ExceptionType", out var type) ? type : "")}</strong>: {E(data.TryGetValue("ExceptionMessage", out var error) ? error : state.Reason)}</div>");
                html.Append("</td><td>");
                if (k < MaxLoggedJobs) JobLogView.Append(html, "job-log", "job log", lines, withJob: false);
                html.Append("</td></tr>");
            }
            html.Append("</tbody></table>");
            JobLogView.Append(html, "stage-log", $"stage log{(jobs.Count > MaxLoggedJobs ? $" (first {MaxLoggedJobs} jobs)" : "")}",
                stageLines.OrderBy(l => l.Item2.TimeUtc).ToList(), withJob: true);
        }
        RunPlots.Append(html, Service<Hosting.HostSettings>(), stage, Link("/sseg/plot"));
        html.Append("</div><div class=\"panel-footer\"><small>options: ")
            .Append(E(string.Join(", ", stage.Options.Select(o => $"{o.Key}={o.Value.Replace('\n', ' ')}"))))
            .Append("</small></div></div>");
    }

    private void Act(StringBuilder html)
    {
        var control = Service<RunControl>();
        var stage = int.TryParse(FormValue("stage"), out var s) ? s : -1;
        try
        {
            var notice = FormValue("action") switch
            {
                "cancel" => E(control.Cancel(runId)),
                "retry" => E(control.RetryFailed(runId, stage)),
                "rerun" => RerunNotice(control, stage),
                var other => throw new RunControlException($"unknown action '{other}'"),
            };
            html.Append($"<div class=\"alert alert-success\" id=\"notice\">{notice}</div>");
        }
        catch (RunControlException e)
        {
            html.Append($"<div class=\"alert alert-danger\" id=\"notice-error\">{E(e.Message)}</div>");
        }
    }

    // Encoded here: the notice carries a link to the new run.
    private string RerunNotice(RunControl control, int stage)
    {
        var id = control.RerunFrom(runId, stage, out var message);
        return $"{E(message)} <a id=\"rerun-link\" href=\"{Link("/sseg/runs/" + id)}\">Open it</a>.";
    }

    private string ActionButton(string action, int stage, string label, string css, string id) =>
        $"<form method=\"post\" action=\"{Link("/sseg/runs/" + runId)}\" style=\"display:inline\">{AntiforgeryInput()}" +
        $"<input type=\"hidden\" name=\"action\" value=\"{action}\"/><input type=\"hidden\" name=\"stage\" value=\"{stage}\"/>" +
        $"<button type=\"submit\" class=\"btn btn-xs {css}\" id=\"{id}\">{E(label)}</button></form>";
}
