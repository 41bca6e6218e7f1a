using System.Text;
using SSeg.Pipelines.Jobs;
using SSeg.Pipelines.Runs;

namespace SSeg.Pipelines.Dashboard;

/// <summary>
/// Run: start one stage with its options, or a whole pipeline from its JSON. The fields come from the stages' option
/// declarations (checkboxes for booleans, number inputs with the declared range, lists of allowed values); invalid
/// input shows each refusal next to its field and in the summary, and enqueues nothing.
/// </summary>
public sealed class RunFormPage : SsegPage
{
    protected override string Title => "Run";

    protected override void Render(StringBuilder html)
    {
        var registry = Service<StageRegistry>();
        var engine = Service<PipelineEngine>();
        var errors = new List<string>();
        var fieldErrors = new Dictionary<string, string>(StringComparer.Ordinal);
        string? started = null;
        if (IsPost)
        {
            try
            {
                var definition = FromForm(registry);
                var refusals = definition.Name.StartsWith("dashboard-", StringComparison.Ordinal)
                    ? engine.ValidateOptions(definition, OptionOrigin.Dashboard) : [];
                if (refusals.Count > 0)
                {
                    errors.AddRange(refusals.Select(r => r.Message));
                    foreach (var refusal in refusals.Where(r => r.Option is not null))
                        fieldErrors.TryAdd(refusal.Option!, refusal.Message[(refusal.Message.IndexOf("): ", StringComparison.Ordinal) + 3)..]);
                }
                else started = engine.Start(definition, "dashboard", OptionOrigin.Dashboard);
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
        // novalidate: the server checks every value against the same declarations and shows the reason by the field.
        html.Append($"<form method=\"post\" action=\"{Link("/sseg/run")}\" id=\"run-form\" novalidate>").Append(AntiforgeryInput());
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
            foreach (var option in adapter.Options.Where(o => o.InPipelines))
            {
                var name = $"opt:{adapter.Name}:{option.Name}";
                var value = IsPost ? FormValue(name) ?? "" : QueryValue(option.Name) ?? option.Default ?? "";
                var error = adapter.Name == FormValue("stage") ? fieldErrors.GetValueOrDefault(option.Name) : null;
                Field(html, adapter.Name, option, name, value, error);
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

    /// <summary>One option's control, derived from its declaration, with its help, range and (after a refusal) the reason.</summary>
    private static void Field(StringBuilder html, string stage, StageOption option, string name, string value, string? error)
    {
        var id = $"opt-{stage}-{option.Name}";
        var errorId = id + "-error";
        var described = error is null ? "" : $" aria-invalid=\"true\" aria-describedby=\"{E(errorId)}\"";
        var label = E(option.Name) + (option.Required ? " *" : "");
        html.Append($"<div class=\"form-group{(error is null ? "" : " has-error")}\" data-option=\"{E(option.Name)}\">");
        switch (option.Type)
        {
            case OptionType.Boolean:
                var on = string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);
                html.Append($"<div class=\"checkbox\"><label><input type=\"checkbox\" id=\"{E(id)}\" name=\"{E(name)}\" value=\"true\"{(on ? " checked" : "")}{described}/> {label}</label></div>");
                break;
            case OptionType.Integer or OptionType.Number:
                html.Append($"<label for=\"{E(id)}\">{label}</label><input class=\"form-control\" type=\"number\" id=\"{E(id)}\" name=\"{E(name)}\" value=\"{E(value)}\"")
                    .Append($" step=\"{option.HtmlStep}\"")
                    .Append(option.Min is { } min ? $" min=\"{StageOption.Format(min)}\"" : "")
                    .Append(option.Max is { } max ? $" max=\"{StageOption.Format(max)}\"" : "")
                    .Append(described).Append("/>");
                break;
            case OptionType.Choice:
                html.Append($"<label for=\"{E(id)}\">{label}</label><select class=\"form-control\" id=\"{E(id)}\" name=\"{E(name)}\"{described}>");
                if (option.Default is null) html.Append("<option value=\"\"></option>");
                var known = option.Choices.Contains(value, StringComparer.OrdinalIgnoreCase);
                if (!known && value.Length > 0) html.Append($"<option value=\"{E(value)}\" selected>{E(value)}</option>"); // a refused value stays visible
                foreach (var choice in option.Choices)
                    html.Append($"<option value=\"{E(choice)}\"{(string.Equals(choice, value, StringComparison.OrdinalIgnoreCase) ? " selected" : "")}>{E(choice)}</option>");
                html.Append("</select>");
                break;
            case OptionType.Lines:
                html.Append($"<label for=\"{E(id)}\">{label}</label><textarea class=\"form-control\" rows=\"3\" id=\"{E(id)}\" name=\"{E(name)}\"{described}>{E(value)}</textarea>");
                break;
            default:
                html.Append($"<label for=\"{E(id)}\">{label}</label><input class=\"form-control\" id=\"{E(id)}\" name=\"{E(name)}\" value=\"{E(value)}\"{described}/>");
                break;
        }
        if (error is not null) html.Append($"<p class=\"help-block field-error\" id=\"{E(errorId)}\">{E(error)}</p>");
        var constraints = option.Constraints();
        html.Append($"<p class=\"help-block\">{E(option.Help)}{(constraints.Length > 0 ? $" <span class=\"option-range\">({E(constraints)})</span>" : "")}</p></div>");
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
        foreach (var option in adapter.Options.Where(o => o.InPipelines))
            if (FormValue($"opt:{adapter.Name}:{option.Name}") is { Length: > 0 } value)
                single.Options[option.Name] = value.Replace("\r\n", "\n");
        return new PipelineDefinition { Name = $"dashboard-{adapter.Name}", Stages = [single], Force = force };
    }
}
