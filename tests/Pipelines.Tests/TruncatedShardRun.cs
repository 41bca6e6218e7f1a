using SSeg.Tests.Common;
using SSeg.Pipelines.Jobs;
using SSeg.Pipelines.Runs;
using SSeg.Shards;
using SSeg.Train.Synthetic;

namespace SSeg.Pipelines.Tests;

/// <summary>A generated three-shard dataset whose image shard 1 is cut to half its length, and a created (not yet
/// started) run of one pseudomask stage over it with RGB masks (generator id "rgb-test").</summary>
internal static class TruncatedShardRun
{
    public static async Task<(string RunId, Dataset Dataset, string BadPath)> CreateAsync(TestHost host, string pipelineName)
    {
        var dataset = await SyntheticShapes.WriteDatasetAsync(host.Root, "shapes-bad", images: 12, shards: 3, size: 64, seed: 2);
        var bad = (await dataset.GetManifestAsync()).Find(ShardNames.ImagesKind, 1)!.Path;
        ShardDamage.TruncateToHalf(ShardDamage.LocalFile(host.Root, dataset, bad));

        var pseudomask = new StageDefinition { Stage = "pseudomask" };
        foreach (var (key, value) in new[] { ("dataset", "shapes-bad"), ("feature", "rgb"), ("k", "2"), ("maxSide", "32"), ("threads", "2"), ("generatorId", "rgb-test") })
            pseudomask.Options[key] = value;
        var runId = RunStore.NewRunId();
        host.Runs.Create(runId, new PipelineDefinition { Name = pipelineName, Stages = [pseudomask] }, "test", OptionOrigin.Trusted);
        return (runId, dataset, bad);
    }
}
