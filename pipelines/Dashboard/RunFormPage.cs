using System.Text;
using SSeg.Pipelines.Jobs;
using SSeg.Pipelines.Runs;

namespace SSeg.Pipelines.Dashboard;

/// <summary>
/// Run: start one stage with its options, or a whole pipeline from its JSON. Invalid input shows the
/// validation errors and enqueues nothing.
/// </summary>
public sealed class RunFormPage : SsegPage
{
    protected override string Title => "Run";

    protected override void Render(StringBuilder html)
    {
        var registry = Service<StageRegistry>();
        var engine = Service<PipelineEngine>();
        var errors = new List<string>();
        string? started = null;
        if (IsPost)
        {
            try
            {
                var definition = FromForm(registry);
                started = engine.Start(definition, "dashboard", OptionOrigin.Dashboard);
            }
            catch (PipelineDefinitionException e)
            {
                errors.AddRange(e.Message.Split('\n'));
            }
        }

        html.Append("<h1 class=\"page-header\">Run</h1>");
        if (started is not null)
        {
            html.Append($"<div class=\"alert alert-success\" id=\"run-started\">Run <a href=\"{Link("/sseg/runs/" + started)}\">{E(started)}</a> started. ")
                .Append($"<a href=\"{Link("/sseg/runs/" + started)}\">Watch its progress</a>.</div>");
        }
        Errors(html, errors);

        var selected = FormValue("stage") ?? QueryValue("stage") ?? registry.All.FirstOrDefault()?.Name ?? "";
        html.Append($"<form method=\"post\" action=\"{Link("/sseg/run")}\" id=\"run-form\">").Append(AntiforgeryInput());
        html.Append("<div class=\"form-group\"><label for=\"stage\">Stage</label><select class=\"form-control\" id=\"stage\" name=\"stage\">");
        foreach (var adapter in registry.All)
        {
            var label = $"{adapter.Name} — {adapter.Description}";
            html.Append($"<option value=\"{E(adapter.Name)}\"{(adapter.Name == selected ? " selected" : "")}>{E(label)}</option>");
        }
        html.Append("<option value=\"pipeline\"").Append(selected == "pipeline" ? " selected" : "").Append(">a pipeline definition (JSON below)</option>");
        html.Append("</select></div>");

        foreach (var adapter in registry.All)
        {
            html.Append($"<fieldset class=\"stage-options\" data-stage=\"{E(adapter.Name)}\"><legend>{E(adapter.Name)} options</legend>");
            foreach (var option in adapter.Options)
            {
                var id = $"opt-{adapter.Name}-{option.Name}";
                var name = $"opt:{adapter.Name}:{option.Name}";
                var value = FormValue(name) ?? QueryValue(option.Name) ?? option.Default ?? "";
                html.Append($"<div class=\"form-group\"><label for=\"{E(id)}\">{E(option.Name)}{(option.Required ? " *" : "")}</label>");
                html.Append(option.Multiline
                    ? $"<textarea class=\"form-control\" rows=\"3\" id=\"{E(id)}\" name=\"{E(name)}\">{E(value)}</textarea>"
                    : $"<input class=\"form-control\" id=\"{E(id)}\" name=\"{E(name)}\" value=\"{E(value)}\"/>");
                html.Append($"<p class=\"help-block\">{E(option.Help)}</p></div>");
            }
            html.Append("</fieldset>");
        }

        html.Append("<fieldset class=\"stage-options\" data-stage=\"pipeline\"><legend>Pipeline definition</legend>")
            .Append("<div class=\"form-group\"><label for=\"pipeline-json\">JSON: {\"name\": ..., \"stages\": [{\"stage\": \"ingest\", \"options\": {...}}, ...]}</label>")
            .Append($"<textarea class=\"form-control\" rows=\"10\" id=\"pipeline-json\" name=\"pipeline\">{E(FormValue("pipeline") ?? "")}</textarea></div></fieldset>");
        html.Append("<div class=\"checkbox\"><label><input type=\"checkbox\" name=\"force\" value=\"true\"/> rebuild even when inputs and options are unchanged</label></div>");
        html.Append("<button type=\"submit\" class=\"btn btn-primary\" id=\"start\">Start</button></form>");
        html.Append("""
            <script>
            (function () {
              var select = document.getElementById('stage');
              function show() {
                document.querySelectorAll('.stage-options').forEach(function (f) {
                  f.style.display = f.getAttribute('data-stage') === select.value ? '' : 'none';
                });
              }
              select.addEventListener('change', show); show();
            })();
            </script>
            """);
    }

    private PipelineDefinition FromForm(StageRegistry registry)
    {
        var stage = FormValue("stage") ?? "";
        var force = FormValue("force") == "true";
        if (stage == "pipeline")
        {
            var definition = PipelineDefinition.Parse(FormValue("pipeline") ?? "", "pipeline JSON");
            definition.Force |= force;
            return definition;
        }
        var adapter = registry.Find(stage) ?? throw new PipelineDefinitionException($"unknown stage '{stage}'");
        var single = new StageDefinition { Stage = adapter.Name };
        foreach (var option in adapter.Options)
            if (FormValue($"opt:{adapter.Name}:{option.Name}") is { Length: > 0 } value)
                single.Options[option.Name] = value.Replace("\r\n", "\n");
        return new PipelineDefinition { Name = $"dashboard-{adapter.Name}", Stages = [single], Force = force };
    }
}
