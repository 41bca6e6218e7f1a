using SSeg.Pipelines.Runs;

namespace SSeg.Pipelines.Demo;

/// <summary>The demo's pipeline definition: tiny settings so the chain ends in minutes on two CPU cores.</summary>
public static class DemoPipeline
{
    public const string EvalRunName = "demo-eval";

    public static string ReportPath(string root) => Path.Combine(root, "reports", EvalRunName);

    public static PipelineDefinition Create(SampleGenerator.Manifests manifests) => new()
    {
        Name = DemoCommand.PipelineName,
        Stages =
        [
            Stage("ingest", ("dataset", DemoCommand.DatasetName), ("sources", string.Join("\n", manifests.SourceLines)),
                ("shardSize", "16"), ("downloadConcurrency", "8"), ("imageSize", "224"), ("timeoutSeconds", "10"),
                ("allowPrivateAddresses", "true")),
            Stage("pseudomask", ("dataset", DemoCommand.DatasetName)),
            Stage("train", ("dataset", DemoCommand.DatasetName)),
            Stage("eval", ("run", EvalRunName)),
        ],
    };

    private static StageDefinition Stage(string name, params (string Key, string Value)[] options)
    {
        var stage = new StageDefinition { Stage = name };
        foreach (var (key, value) in options) stage.Options[key] = value;
        return stage;
    }
}
