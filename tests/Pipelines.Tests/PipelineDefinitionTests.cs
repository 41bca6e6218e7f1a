using SSeg.Pipelines.Jobs;
using SSeg.Pipelines.Runs;
using SSeg.Tests.Common;
using Xunit;

namespace SSeg.Pipelines.Tests;

public sealed class PipelineDefinitionTests
{
    [Fact]
    public void Parses_stages_options_arrays_and_cron()
    {
        var definition = PipelineDefinition.Parse("""
            // comments and trailing commas are allowed
            { "name": "nightly", "cron": "0 3 * * *",
              "stages": [ { "stage": "ingest", "options": { "dataset": "cc", "sources": ["cc3m=a.tsv", "cc12m=b.tsv"], "shardSize": 500, "allowPrivateAddresses": true, } } ] }
            """, "nightly.json");
        Assert.Equal("nightly", definition.Name);
        Assert.Equal("0 3 * * *", definition.Cron);
        var options = Assert.Single(definition.Stages).Options;
        Assert.Equal("cc3m=a.tsv\ncc12m=b.tsv", options["sources"]);
        Assert.Equal("500", options["shardSize"]);
        Assert.Equal("true", options["allowPrivateAddresses"]);
        var roundTrip = PipelineDefinition.FromStoredJson(definition.ToJson());
        Assert.Equal(PipelineDefinition.OptionsHash(definition.Stages[0]), PipelineDefinition.OptionsHash(roundTrip.Stages[0]));
    }

    [Fact]
    public void Bad_json_names_the_file_and_line()
    {
        var error = Assert.Throws<PipelineDefinitionException>(() => PipelineDefinition.Parse("{\n \"name\": \"x\",\n \"stages\": [ { \"stage\": } ]\n}", "bad.json"));
        Assert.Contains("bad.json", error.Message);
        Assert.Contains("line 3", error.Message);
        Assert.Contains("stages[0]", Assert.Throws<PipelineDefinitionException>(() => PipelineDefinition.Parse("{\"name\":\"x\",\"stages\":[{\"options\":{}}]}", "f.json")).Message);
    }

    [Fact]
    public void Options_hash_ignores_order_and_sees_values()
    {
        var a = new StageDefinition { Stage = "ingest", Options = new(StringComparer.Ordinal) { ["a"] = "1", ["b"] = "2" } };
        var b = new StageDefinition { Stage = "ingest", Options = new(StringComparer.Ordinal) { ["b"] = "2", ["a"] = "1" } };
        var c = new StageDefinition { Stage = "ingest", Options = new(StringComparer.Ordinal) { ["a"] = "1", ["b"] = "3" } };
        Assert.Equal(PipelineDefinition.OptionsHash(a), PipelineDefinition.OptionsHash(b));
        Assert.NotEqual(PipelineDefinition.OptionsHash(a), PipelineDefinition.OptionsHash(c));
    }

    [Fact]
    public async Task Engine_reports_every_problem_and_starts_nothing()
    {
        await using var host = await TestHost.StartAsync(RepoPaths.NewTempDir("sseg-def"));
        var definition = PipelineDefinition.Parse("""
            { "name": "bad name!", "cron": "every day",
              "stages": [ { "stage": "ingest", "options": { "sources": "cc3m=/no/such.tsv", "colour": "red" } },
                          { "stage": "teleport" } ] }
            """, "p.json");
        var errors = host.Engine.Validate(definition, OptionOrigin.Trusted);
        Assert.Contains(errors, e => e.Contains("bad name!"));
        Assert.Contains(errors, e => e.Contains("every day"));
        Assert.Contains(errors, e => e.Contains("option 'dataset' is required"));
        Assert.Contains(errors, e => e.Contains("unknown option 'colour'"));
        Assert.Contains(errors, e => e.Contains("manifest not found: /no/such.tsv"));
        Assert.Contains(errors, e => e.Contains("unknown stage 'teleport'"));
        Assert.Throws<PipelineDefinitionException>(() => host.Engine.Start(definition, "test", OptionOrigin.Trusted));
        Assert.Empty(host.Runs.List());
    }
}
