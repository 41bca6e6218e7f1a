using System.Text;
using System.Text.Json;
using SSeg.Pipelines.Jobs;
using SSeg.Pipelines.Runs;

namespace SSeg.Pipelines.Dashboard;

/// <summary>Schedules: create, edit and delete the cron of pipeline rebuilds, and trigger one now.</summary>
public sealed class SchedulesPage : SsegPage
{
    protected override string Title => "Schedules";

    protected override void Render(StringBuilder html)
    {
        var schedules = Service<Schedules>();
        var errors = new List<string>();
        string? notice = null;
        if (IsPost)
        {
            var name = FormValue("name") ?? "";
            switch (FormValue("action"))
            {
                case "trigger":
                    notice = schedules.Trigger(name) ? $"Schedule '{name}' triggered: a run starts now." : null;
                    if (notice is null) errors.Add($"no schedule named '{name}'");
                    break;
                case "delete":
                    if (schedules.Delete(name)) notice = $"Schedule '{name}' deleted.";
                    else errors.Add($"no schedule named '{name}'");
                    break;
                case "pause":
                    if (schedules.Pause(name)) notice = $"Schedule '{name}' paused: it does not fire until resumed.";
                    else errors.Add($"no running schedule named '{name}'");
                    break;
                case "resume":
                    errors.AddRange(schedules.Resume(name));
                    if (errors.Count == 0) notice = $"Schedule '{name}' resumed.";
                    break;
                case "save":
                    try
                    {
                        var definition = PipelineDefinition.Parse(FormValue("definition") ?? "", "definition");
                        if (FormValue("cron") is { Length: > 0 } cron) definition.Cron = cron.Trim();
                        errors.AddRange(schedules.Save(definition, OptionOrigin.Dashboard));
                        if (errors.Count == 0) notice = $"Schedule '{definition.Name}' saved ({definition.Cron}).";
                    }
                    catch (PipelineDefinitionException e)
                    {
                        errors.Add(e.Message);
                    }
                    break;
                default:
                    errors.Add("unknown action");
                    break;
            }
        }

        html.Append("<h1 class=\"page-header\">Schedules</h1>");
        if (notice is not null) html.Append($"<div class=\"alert alert-success\" id=\"notice\">{E(notice)}</div>");
        Errors(html, errors);

        var list = schedules.List();
        if (list.Count == 0) html.Append("<div class=\"alert alert-info\">No rebuild schedules yet.</div>");
        else
        {
            var runs = Service<RunStore>().List(int.MaxValue);
            var now = DateTime.UtcNow;
            html.Append("<table class=\"table table-striped\" id=\"schedules\"><thead><tr><th>Pipeline</th><th>Cron (UTC)</th><th>Stages</th><th>Next runs</th><th>Last</th><th>Past runs</th><th></th></tr></thead><tbody>");
            foreach (var s in list)
            {
                html.Append($"<tr data-name=\"{E(s.Name)}\"><td>{E(s.Name)}")
                    .Append(s.Paused ? " <span class=\"label label-warning schedule-paused\">paused</span>" : "")
                    .Append($"</td><td><code>{E(s.Cron)}</code></td><td>{E(string.Join(" → ", s.Definition.Stages.Select(x => x.Stage)))}</td><td class=\"next-runs\">");
                if (s.Paused) html.Append("<span class=\"text-muted\">none while paused</span>");
                else
                {
                    var next = CronSchedule.Next(s.Cron, now, 3);
                    if (next.Count == 0 && s.NextExecution is { } only) next = [only];
                    html.Append(string.Join("<br/>", next.Select(t => $"<span title=\"{t:yyyy-MM-dd HH:mm} UTC\">{E(CronSchedule.InWords(t, now))} ({t:ddd HH:mm})</span>")));
                }
                html.Append($"</td><td>{s.LastExecution:yyyy-MM-dd HH:mm}")
                    .Append(s.LastJobId is { } job ? $" <a href=\"{Url.JobDetails(job)}\">#{E(job)}</a>" : "")
                    .Append(s.Error is { } err ? $" <span class=\"text-danger\">{E(err)}</span>" : "")
                    .Append("</td><td class=\"past-runs\">");
                var past = runs.Where(r => r.Pipeline == s.Name && r.Trigger == "schedule").Take(5).ToList();
                html.Append(past.Count == 0 ? "<span class=\"text-muted\">none yet</span>" : string.Join("<br/>", past.Select(r =>
                    $"<a href=\"{Link("/sseg/runs/" + r.Id)}\">{r.Created:MM-dd HH:mm}</a> <span class=\"label {RunsPage.LabelClass(r.Status)}\">{E(r.Status)}</span>")));
                if (past.Count > 0) html.Append($"<br/><a href=\"{Link("/sseg/runs")}?pipeline={U(s.Name)}\">all runs</a>");
                html.Append("</td><td>")
                    .Append(s.Paused ? ActionButton(s.Name, "resume", "Resume", "btn-success") : ActionButton(s.Name, "trigger", "Trigger now", "btn-primary") + " " + ActionButton(s.Name, "pause", "Pause", "btn-warning"))
                    .Append($" <a class=\"btn btn-default btn-sm\" href=\"{Link("/sseg/schedules")}?edit={U(s.Name)}\">Edit</a> ")
                    .Append(ActionButton(s.Name, "delete", "Delete", "btn-danger"))
                    .Append("</td></tr>");
            }
            html.Append("</tbody></table>");
        }

        var editing = QueryValue("edit") is { } editName ? list.FirstOrDefault(s => s.Name == editName) : null;
        var json = FormValue("definition") ?? (editing is null ? Example : Pretty(editing.Definition));
        html.Append($"<h3>{(editing is null ? "New schedule" : $"Edit {E(editing.Name)}")}</h3>")
            .Append($"<form method=\"post\" action=\"{Link("/sseg/schedules")}\" id=\"schedule-form\">").Append(AntiforgeryInput())
            .Append("<input type=\"hidden\" name=\"action\" value=\"save\"/>")
            .Append($"<div class=\"form-group\"><label for=\"cron\">Cron (UTC, 5 fields; overrides the file's)</label><input class=\"form-control\" id=\"cron\" name=\"cron\" value=\"{E(FormValue("cron") ?? editing?.Cron ?? "")}\"/></div>")
            .Append($"<div class=\"form-group\"><label for=\"definition\">Pipeline definition (JSON)</label><textarea class=\"form-control\" rows=\"14\" id=\"definition\" name=\"definition\">{E(json)}</textarea></div>")
            .Append("<button type=\"submit\" class=\"btn btn-primary\" id=\"save\">Save schedule</button></form>");
    }

    private string ActionButton(string name, string action, string label, string css) =>
        $"<form method=\"post\" action=\"{Link("/sseg/schedules")}\" style=\"display:inline\">{AntiforgeryInput()}" +
        $"<input type=\"hidden\" name=\"name\" value=\"{E(name)}\"/><input type=\"hidden\" name=\"action\" value=\"{action}\"/>" +
        $"<button type=\"submit\" class=\"btn btn-sm {css}\" id=\"{action}-{E(name)}\">{E(label)}</button></form>";

    private static string Pretty(PipelineDefinition definition) =>
        JsonSerializer.Serialize(JsonDocument.Parse(definition.ToJson()).RootElement, new JsonSerializerOptions { WriteIndented = true });

    private const string Example = """
        {
          "name": "nightly",
          "cron": "0 3 * * *",
          "stages": [
            { "stage": "ingest", "options": { "dataset": "cc3m", "sources": ["cc3m=/data/manifests/cc3m.tsv"] } }
          ]
        }
        """;
}
