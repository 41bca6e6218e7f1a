using SSeg.Pipelines.Demo;
using SSeg.Pipelines.Jobs;
using SSeg.Pipelines.Runs;
using SSeg.Shards;
using SSeg.Tests.Common;
using Xunit;

namespace SSeg.Pipelines.Tests;

/// <summary>A rebuild schedule fires (triggered): unchanged inputs are skipped, a changed manifest is re-ingested.</summary>
public sealed class RecurringRebuildTests
{
    [Fact]
    public async Task Triggered_rebuilds_skip_unchanged_inputs_and_reingest_a_changed_manifest()
    {
        var root = RepoPaths.NewTempDir("sseg-rebuild");
        await using var host = await TestHost.StartAsync(root);
        var manifests = host.WriteSample(12);
        var definition = new PipelineDefinition
        {
            Name = "nightly-shapes",
            Cron = "0 3 * * *",
            Stages = [TestHost.IngestStage("shapes", manifests, shardSize: 8)],
        };
        Assert.Empty(host.Schedules.Save(definition, OptionOrigin.Trusted));
        var schedule = Assert.Single(host.Schedules.List());
        Assert.Equal("0 3 * * *", schedule.Cron);

        // First firing builds the dataset.
        var first = await TriggerAndWaitAsync(host, "nightly-shapes", previousRuns: 0);
        Assert.Equal(RunStatus.Succeeded, first.StageStatus(0));
        var dataset = DatasetStore.Open(root).Dataset("shapes");
        var rowsBefore = await KeysAsync(dataset);
        Assert.Equal(12, rowsBefore.Count);

        // Second firing, nothing changed: skipped.
        var second = await TriggerAndWaitAsync(host, "nightly-shapes", previousRuns: 1);
        Assert.Equal(RunStatus.Skipped, second.StageStatus(0));
        Assert.Equal("skipped: inputs and config unchanged", second.StageSummary(0));
        Assert.Empty(second.StageJobs(0));

        // A changed manifest (a caption edited, a row added) is re-ingested: the dataset holds the new content only.
        var lines = File.ReadAllLines(manifests.Cc3m).ToList();
        var edited = "a tiny edited caption about a zebra ." + lines[0][lines[0].IndexOf('\t')..];
        lines[0] = edited;
        var extra = SampleGenerator.WriteImages(Path.Combine(host.SampleDir, "images"), 13)[12];
        lines.Add("one more shape\t" + host.SampleBaseUrl + "/" + extra.File);
        File.WriteAllLines(manifests.Cc3m, lines);
        var third = await TriggerAndWaitAsync(host, "nightly-shapes", previousRuns: 2);
        Assert.Equal(RunStatus.Succeeded, third.StageStatus(0));
        Assert.NotEmpty(third.StageJobs(0));
        var captions = new List<string>();
        await foreach (var row in dataset.ReadImagesAsync(ImageColumns.Key | ImageColumns.Caption)) captions.Add(row.Caption);
        Assert.Contains(captions, c => c.Contains("zebra"));
        Assert.Equal(13, captions.Count);
        var keys = await KeysAsync(dataset);
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.True((await dataset.VerifyAsync()).Ok);

        // Deleting the schedule removes it.
        host.Schedules.Delete("nightly-shapes");
        Assert.Empty(host.Schedules.List());
    }

    private static async Task<RunRecord> TriggerAndWaitAsync(TestHost host, string name, int previousRuns)
    {
        Assert.True(host.Schedules.Trigger(name));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (host.Runs.List().Count(r => r.Pipeline == name) <= previousRuns)
        {
            Assert.True(DateTime.UtcNow < deadline, "the triggered schedule did not start a run");
            await Task.Delay(200);
        }
        var run = host.Runs.List().First(r => r.Pipeline == name);
        Assert.Equal("schedule", run.Trigger);
        var final = await host.WaitAsync(run.Id);
        Assert.Equal(RunStatus.Succeeded, final.Status);
        return final;
    }

    private static async Task<List<string>> KeysAsync(Dataset dataset)
    {
        var keys = new List<string>();
        await foreach (var row in dataset.ReadImagesAsync(ImageColumns.Key)) keys.Add(row.Key);
        return keys;
    }
}
