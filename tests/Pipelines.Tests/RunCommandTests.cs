using SSeg.Pipelines.Demo;
using SSeg.Pipelines.Runs;
using SSeg.Shards;
using SSeg.Tests.Common;
using Xunit;

namespace SSeg.Pipelines.Tests;

/// <summary>`run FILE`: a pipeline file is validated, enqueued, run by the embedded server (--wait) and its cron registered.</summary>
public sealed class RunCommandTests
{
    [Fact]
    public async Task Run_file_enqueues_the_chain_registers_its_schedule_and_refuses_a_bad_file()
    {
        var root = RepoPaths.NewTempDir("sseg-runfile");
        // A sample site: a host that serves the drawn images (its own job server stays idle).
        await using var site = await TestHost.StartAsync(Path.Combine(root, "site"));
        var manifests = site.WriteSample(6);
        var file = Path.Combine(root, "pipeline.json");
        await File.WriteAllTextAsync(file, $$"""
            { "name": "file-shapes", "cron": "30 2 * * *",
              "stages": [ { "stage": "ingest", "options": {
                  "dataset": "file-shapes", "sources": [{{string.Join(", ", manifests.SourceLines.Select(l => System.Text.Json.JsonSerializer.Serialize(l)))}}],
                  "shardSize": 4, "allowPrivateAddresses": true, "imageSize": 96 } } ] }
            """);
        var jobs = Path.Combine(root, "jobs.db");
        Dictionary<string, string?> Settings() => new()
        {
            ["Storage:Root"] = Path.Combine(root, "data"), ["Jobs:SqlitePath"] = jobs, ["Urls"] = "http://127.0.0.1:0",
            ["Jobs:QueuePollIntervalMs"] = "200", ["Jobs:BarrierIntervalSeconds"] = "1", ["Logging:LogLevel:Default"] = "Warning",
        };

        var output = new StringWriter();
        var error = new StringWriter();
        var (originalOut, originalError) = (Console.Out, Console.Error);
        int ok, bad, missing;
        try
        {
            Console.SetOut(output);
            Console.SetError(error);
            ok = await RunCommand.ExecuteAsync(new FileInfo(file), wait: true, Settings(), [], CancellationToken.None);
            var badFile = Path.Combine(root, "bad.json");
            await File.WriteAllTextAsync(badFile, """{ "name": "bad", "stages": [ { "stage": "ingest", "options": { "dataset": "x", "sources": "cc12m=/nowhere.tsv" } } ] }""");
            bad = await RunCommand.ExecuteAsync(new FileInfo(badFile), wait: false, Settings(), [], CancellationToken.None);
            missing = await RunCommand.ExecuteAsync(new FileInfo(Path.Combine(root, "absent.json")), wait: false, Settings(), [], CancellationToken.None);
        }
        finally
        {
            Console.SetOut(originalOut);
            Console.SetError(originalError);
        }
        Assert.True(ok == 0, output.ToString() + error);
        Assert.Contains("Schedule 'file-shapes' registered: 30 2 * * *", output.ToString());
        Assert.Contains("ingest           succeeded: dataset file-shapes: 6 rows", output.ToString());
        Assert.Equal(2, bad);
        Assert.Contains("manifest not found: /nowhere.tsv", error.ToString());
        Assert.Equal(2, missing);
        Assert.Contains("Pipeline file not found", error.ToString());
        Assert.Equal(6, (await DatasetStore.Open(Path.Combine(root, "data")).Dataset("file-shapes").GetManifestAsync()).ImageShards.Sum(s => s.Rows));

        // The schedule lives in the job storage: a host on the same storage lists it.
        await using var host = await TestHost.StartAsync(Path.Combine(root, "other"), new Dictionary<string, string?> { ["Jobs:SqlitePath"] = jobs });
        var schedule = Assert.Single(host.Schedules.List());
        Assert.Equal("file-shapes", schedule.Name);
        Assert.Equal("30 2 * * *", schedule.Cron);
        Assert.Equal(RunStatus.Succeeded, host.Runs.List().Single().Status);
    }
}
