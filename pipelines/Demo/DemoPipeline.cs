using SSeg.Pipelines.Runs;

namespace SSeg.Pipelines.Demo;

/// <summary>The demo's pipeline definition: tiny settings so the chain ends in minutes on two CPU cores.</summary>
public static class DemoPipeline
{
    public const string EvalRunName = "demo-eval";
    public const string TrainRunName = "demo-sseg-tiny";

    public static string ReportPath(string root) => Path.Combine(root, "reports", EvalRunName);

    public static PipelineDefinition Create(SampleGenerator.Manifests manifests, string vocSample) => new()
    {
        Name = DemoCommand.PipelineName,
        Stages =
        [
            Stage("ingest", ("dataset", DemoCommand.DatasetName), ("sources", string.Join("\n", manifests.SourceLines)),
                ("shardSize", "16"), ("downloadConcurrency", "8"), ("imageSize", "224"), ("timeoutSeconds", "10"),
                ("allowPrivateAddresses", "true")),
            // RGB features: no DINO weights needed offline; the summary and the mask metadata say so.
            Stage("pseudomask", ("dataset", DemoCommand.DatasetName), ("feature", "rgb"), ("k", "4"), ("maxSide", "224"), ("batchSize", "8")),
            Stage("train", ("dataset", DemoCommand.DatasetName), ("run", TrainRunName), ("model", "tiny"), ("vocabSize", "600"),
                ("batchSize", "4"), ("accumulation", "2"), ("epochs", "2"), ("warmupEpochs", "0.5"), ("learningRate", "0.1"), ("maxSteps", "8"),
                ("shuffleBuffer", "8"), ("decodeWorkers", "2"), ("seed", "5"), ("checkpointEvery", "4"), ("device", "cpu"), ("threads", "2")),
            Stage("eval", ("run", EvalRunName), ("checkpoint", TrainRunName), ("datasets", $"voc={vocSample}"),
                ("mode", "whole"), ("shortSide", "64"), ("cropSize", "64"), ("stride", "32"), ("maxImages", "8"), ("device", "cpu")),
        ],
    };

    private static StageDefinition Stage(string name, params (string Key, string Value)[] options)
    {
        var stage = new StageDefinition { Stage = name };
        foreach (var (key, value) in options) stage.Options[key] = value;
        return stage;
    }
}
