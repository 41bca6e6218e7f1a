using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using SSeg.Pipelines.Cli;
using SSeg.Pipelines.Jobs;
using SSeg.Pipelines.Runs;
using SSeg.Tests.Common;
using Xunit;

namespace SSeg.Pipelines.Tests;

/// <summary>
/// Each stage option is declared once (issue 15): the CLI verbs, pipeline files, the Run form and schedules are derived
/// from the declaration, so a value means the same and is refused for the same reason on every surface.
/// </summary>
public sealed class StageOptionTests
{
    /// <summary>A valid value other than the default, as a pipeline file would hold it (JSON) and as text.</summary>
    private static (string Json, string Text) Sample(StageOption option)
    {
        string text;
        switch (option.Type)
        {
            case OptionType.Integer:
                var low = (long)(option.Min ?? 0);
                var whole = option.Default == (low + 1).ToString(CultureInfo.InvariantCulture) ? low + 2 : low + 1;
                text = Math.Min(whole, (long)(option.Max ?? whole)).ToString(CultureInfo.InvariantCulture);
                return (text, text);
            case OptionType.Number:
                text = StageOption.Format(((option.Min ?? 0) + Math.Min(option.Max ?? 1, (option.Min ?? 0) + 1)) / 2 + 1e-6);
                return (text, text);
            case OptionType.Boolean:
                return ("true", "true");
            case OptionType.Choice:
                text = option.Choices[^1];
                return (JsonSerializer.Serialize(text), text);
            case OptionType.Lines:
                return ("[\"voc=a\", \"context=b\"]", "voc=a\ncontext=b");
            default:
                text = option.Kind == OptionKind.Text ? "some-text" : "some-name";
                return (JsonSerializer.Serialize(text), text);
        }
    }

    /// <summary>The verb of <paramref name="stage"/> among the real CLI verbs.</summary>
    private static Command Verb(string stage)
    {
        var words = OptionsReference.CliVerb(stage).Split(' ');
        var command = CliCommands.All().Single(c => c.Name == words[0]);
        foreach (var word in words.Skip(1)) command = command.Subcommands.Single(c => c.Name == word);
        return command;
    }

    [Fact]
    public void Every_declared_option_round_trips_through_its_CLI_verb_and_a_pipeline_file()
    {
        Assert.Equal(["ingest", "pseudomask", "train", "selftrain-label", "selftrain", "eval"], StageAdapters.All.Select(a => a.Name));
        var checkedOptions = 0;
        foreach (var adapter in StageAdapters.All)
        {
            var verb = Verb(adapter.Name);
            var declared = new DeclaredCliOptions(adapter.Options);
            var probe = new RootCommand();
            declared.AddTo(probe);
            foreach (var option in adapter.Options)
            {
                // The real verb carries the derived option under the derived name and every alias.
                if (option.OnCli)
                {
                    var onVerb = verb.Options.SingleOrDefault(o => o.Name == option.CliName);
                    Assert.True(onVerb is not null, $"{adapter.Name}: verb '{OptionsReference.CliVerb(adapter.Name)}' lacks {option.CliName}");
                    foreach (var alias in option.CliAliases) Assert.Contains(alias, onVerb!.Aliases);
                }
                Assert.Equal(option.CliName, "--" + Regex.Replace(option.Name, "([A-Z])", m => "-" + m.Value.ToLowerInvariant()));

                var (json, text) = Sample(option);
                Assert.Null(option.Refusal(text));
                var cliArgs = option.Type switch
                {
                    OptionType.Boolean => new[] { option.CliName },
                    OptionType.Lines => text.Split('\n').SelectMany(v => new[] { option.CliName, v }).ToArray(),
                    _ => [option.CliName, text],
                };
                var fromCli = declared.Values(probe.Parse(cliArgs), d => d.Required ? Sample(d).Text : null);
                var file = PipelineDefinition.Parse($$"""{ "name": "p", "stages": [ { "stage": "{{adapter.Name}}", "options": { "{{option.Name}}": {{json}} } } ] }""",
                    "round-trip.json");
                var fromFile = file.Stages[0].Options[option.Name];
                Assert.Equal(text, fromCli[option.Name]);
                Assert.Equal(text, fromFile);
                // Both surfaces read back the same typed value through the adapters' reader.
                var cliContext = new StageContext("r", "p", 0, fromCli, ".", null);
                var fileContext = new StageContext("r", "p", 0, file.Stages[0].Options, ".", null);
                Assert.Equal(cliContext.Value(option), fileContext.Value(option));
                checkedOptions++;
            }
        }
        Assert.True(checkedOptions > 90, $"only {checkedOptions} options declared");
    }

    /// <summary>Every numeric option with a lower bound, one below it.</summary>
    private static IEnumerable<(IStageAdapter Stage, StageOption Option, string Value)> BelowRange() =>
        from adapter in StageAdapters.All
        from option in adapter.Options
        where option.Type is OptionType.Integer or OptionType.Number && option.Min is not null
        select (adapter, option, StageOption.Format(option.Min!.Value - 1));

    [Fact]
    public void The_CLI_refuses_out_of_range_values_naming_the_option_and_its_range()
    {
        foreach (var (stage, option, value) in BelowRange())
        {
            var declared = new DeclaredCliOptions(stage.Options);
            var probe = new RootCommand();
            declared.AddTo(probe);
            var error = Assert.Throws<FormatException>(() => declared.Values(probe.Parse([option.CliName, value]), d => d.Required ? Sample(d).Text : null));
            Assert.Contains(option.CliName, error.Message);
            Assert.Contains(option.RangeSuffix().Trim(), error.Message);
            Assert.Contains($"got '{value}'", error.Message);
        }
        var ingest = new DeclaredCliOptions(IngestStageOptions.All);
        var command = new RootCommand();
        ingest.AddTo(command);
        var refused = Assert.Throws<FormatException>(() => ingest.Values(command.Parse(["--dataset", "d", "--sources", "cc3m=a", "--concurrency", "-1"])));
        Assert.Equal("--download-concurrency must be an integer from 1 to 4096, got '-1'", refused.Message);
    }

    [Fact]
    public async Task Pipeline_files_schedules_and_the_Run_form_refuse_out_of_range_values_with_the_reason_and_enqueue_nothing()
    {
        var root = RepoPaths.NewTempDir("sseg-option-ranges");
        await using var host = await TestHost.StartAsync(root);
        using var http = new HttpClient();
        foreach (var (stage, option, value) in BelowRange())
        {
            var expected = $"option '{option.Name}' must be {(option.Type == OptionType.Integer ? "an integer" : "a number")}{option.RangeSuffix()}, got '{value}'";
            var definition = new PipelineDefinition
            {
                Name = "ranges",
                Stages = [new StageDefinition { Stage = stage.Name, Options = { [option.Name] = value } }],
            };
            Assert.Contains(host.Engine.Validate(definition, OptionOrigin.Trusted), e => e == $"stages[0] ({stage.Name}): {expected}");
            definition.Cron = "0 3 * * *";
            Assert.Contains(host.Schedules.Save(definition, OptionOrigin.Dashboard), e => e.EndsWith(expected, StringComparison.Ordinal));

            var form = await http.GetStringAsync(host.DashboardUrl + "/sseg/run");
            var token = Regex.Match(form, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
            var posted = await http.PostAsync(host.DashboardUrl + "/sseg/run", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token, ["stage"] = stage.Name, [$"opt:{stage.Name}:{option.Name}"] = value,
            }));
            var body = WebUtility.HtmlDecode(await posted.Content.ReadAsStringAsync());
            var fieldError = Regex.Match(body, $"id=\"opt-{stage.Name}-{option.Name}-error\">([^<]*)<").Groups[1].Value;
            Assert.Equal(expected, fieldError);
        }
        Assert.Empty(host.Runs.List());
        Assert.Empty(host.Schedules.List());

        // `run FILE` names the file, the stage and the key.
        var file = Path.Combine(root, "bad-range.json");
        await File.WriteAllTextAsync(file, """{ "name": "bad-range", "stages": [ { "stage": "ingest", "options": { "dataset": "d", "sources": "cc3m=a.tsv", "downloadConcurrency": -1 } } ] }""");
        var definitionErrors = host.Engine.Validate(PipelineDefinition.Parse(await File.ReadAllTextAsync(file), file), OptionOrigin.Trusted);
        Assert.Contains("stages[0] (ingest): option 'downloadConcurrency' must be an integer from 1 to 4096, got '-1'", definitionErrors);
    }

    [Fact]
    public void The_README_reference_is_the_one_the_declarations_render()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        var begin = readme.IndexOf(OptionsReference.Begin, StringComparison.Ordinal);
        var end = readme.IndexOf(OptionsReference.End, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, "README.md lacks the generated stage-option section");
        var documented = readme[(begin + OptionsReference.Begin.Length)..end].Trim();
        Assert.True(documented == OptionsReference.Markdown(StageAdapters.All).Trim(),
            "README.md's stage options differ from the declarations: regenerate with `options --markdown`");
    }
}
