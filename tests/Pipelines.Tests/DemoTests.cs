using SSeg.Pipelines.Demo;
using SSeg.Shards;
using SSeg.Tests.Common;
using Xunit;

namespace SSeg.Pipelines.Tests;

/// <summary>The README's main command: the whole chain on the generated sample, then again with nothing changed.</summary>
public sealed class DemoTests
{
    [Fact]
    public async Task Demo_runs_every_stage_to_a_report_and_a_rerun_skips_them_all()
    {
        var root = RepoPaths.NewTempDir("sseg-demo");
        // One port for both runs: the manifests hold the sample server's URLs, so a new port would be a changed input.
        var port = FreePort();
        var overrides = () => new Dictionary<string, string?> { ["Storage:Root"] = root, ["Urls"] = $"http://127.0.0.1:{port}" };
        var output = new StringWriter();
        var original = Console.Out;
        int first, second;
        try
        {
            Console.SetOut(output);
            first = await DemoCommand.ExecuteAsync(new DemoCommand.Options(36, KeepServing: false), overrides(), [], CancellationToken.None);
            second = await DemoCommand.ExecuteAsync(new DemoCommand.Options(36, KeepServing: false), overrides(), [], CancellationToken.None);
        }
        finally
        {
            Console.SetOut(original);
        }
        var text = output.ToString();
        File.WriteAllText(Path.Combine(RepoPaths.Artifacts("pipelines-demo"), "demo-output.txt"), text);
        Assert.True(first == 0, text);
        Assert.True(second == 0, text);

        Assert.Contains("ingest           succeeded: dataset demo-shapes: 36 rows", text);
        Assert.Contains("from RGB features (no DINO weights)", text);
        Assert.Contains("train            succeeded", text);
        Assert.Contains("eval             succeeded", text);
        Assert.Contains($"Report: {Path.Combine(root, "reports", DemoPipeline.EvalRunName)}", text);
        Assert.True(File.Exists(Path.Combine(root, "reports", DemoPipeline.EvalRunName, "report.json")));
        Assert.Contains("http://127.0.0.1:", text.Split('\n').Last(l => l.StartsWith("Dashboard: ", StringComparison.Ordinal)));

        // Second run: every stage unchanged.
        foreach (var stage in new[] { "ingest", "pseudomask", "train", "eval" })
            Assert.Contains($"{stage,-16} skipped: inputs and config unchanged", text);

        var manifest = await DatasetStore.Open(root).Dataset(DemoCommand.DatasetName).GetManifestAsync();
        Assert.Equal(manifest.ImageShards.Count, manifest.ShardsOf(ShardNames.MasksKind("rgb8_rgb_k4_s0_m224")).Count);
        }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
