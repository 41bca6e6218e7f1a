using System.Text.Json;
using SSeg.Eval.Protocol;
using SSeg.Eval.Scoring;
using SSeg.Eval.Stage;
using SSeg.Eval.Tests.Support;

namespace SSeg.Eval.Tests;

/// <summary>A factory for "*.colour" checkpoints (a text file naming the class to confuse, or empty); found by discovery.</summary>
public sealed class ColourScorerFactory : IScorerFactory
{
    public string Kind => "colour";
    public bool CanLoad(string checkpointPath) => checkpointPath.EndsWith(".colour", StringComparison.Ordinal);
    public ISegmentationScorer Load(string checkpointPath, ScorerLoadOptions options)
    {
        var text = File.ReadAllText(checkpointPath).Trim();
        return text.Length == 0 ? new ColourScorer() : new ColourScorer(confuse: (text.Split(',')[0], text.Split(',')[1]));
    }
}

public class StageAndRegistryTests
{
    private static readonly EvalOptions Small = new()
    {
        Inference = new InferenceOptions { ShortSide = 96, LongSideCap = 512, CropSize = 96, Stride = 48 },
    };

    [Fact]
    public void TheRegistryResolvesByProbeOrKind()
    {
        var registry = new ScorerRegistry().Register(new ColourScorerFactory());
        var factory = Assert.Single(registry.Factories);
        Assert.Equal("colour", factory.Kind);

        using var tmp = TestPaths.NewTempDir();
        var ckpt = tmp.File("model.colour");
        File.WriteAllText(ckpt, "cat,dog");
        Assert.Same(factory, registry.Resolve(ckpt));
        var other = tmp.File("model.safetensors");
        File.WriteAllText(other, "x");
        var e = Assert.Throws<InvalidOperationException>(() => registry.Resolve(other));
        Assert.Contains("model.safetensors", e.Message);
        Assert.Contains("colour", e.Message);
        Assert.Same(factory, registry.Resolve(other, "COLOUR"));
        Assert.Contains("known: colour", Assert.Throws<InvalidOperationException>(() => registry.Resolve(other, "sseg")).Message);
        Assert.Throws<FileNotFoundException>(() => registry.Resolve(tmp.File("missing.colour")));
        Assert.Throws<InvalidOperationException>(() => registry.Register(new ColourScorerFactory()));
    }

    [Fact]
    public void StageEvaluatesThroughAFactoryAndWritesTheReport()
    {
        using var tmp = TestPaths.NewTempDir();
        var vocRoot = SyntheticVoc.Create(tmp.File("data"));
        var ckpt = tmp.File("m.colour");
        File.WriteAllText(ckpt, "");
        var registry = new ScorerRegistry().Register(new ColourScorerFactory());
        using var scorer = registry.Load(ckpt, ScorerLoadOptions.Cpu);
        var reportDir = tmp.File("root/reports/run1");
        var progress = new List<EvalProgress>();
        var report = EvalStage.Run(scorer, new EvalRequest("run1", new[] { new DatasetSpec("voc", vocRoot, BackgroundThreshold: 0.9) }, Small, reportDir),
            new InlineProgress(progress.Add));
        Assert.Equal(1.0, Assert.Single(report.Datasets).MeanIoU, 12);
        Assert.Equal(0.9, report.Datasets[0].BackgroundThreshold);
        Assert.Null(report.AverageMeanIoU);
        Assert.Equal(new[] { 1, 2, 3 }, progress.Select(p => p.Done));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(reportDir, "report.json")));
        Assert.Equal("run1", json.RootElement.GetProperty("run").GetString());
        Assert.Equal(0.9, json.RootElement.GetProperty("datasets")[0].GetProperty("background_threshold").GetDouble());
    }

    [Fact]
    public void StageChecksEveryDatasetBeforeScoring()
    {
        using var tmp = TestPaths.NewTempDir();
        var vocRoot = SyntheticVoc.Create(tmp.File("data"));
        using var scorer = new ColourScorer();
        var missing = new EvalRequest("r", new[] { new DatasetSpec("voc", vocRoot), new DatasetSpec("context", tmp.File("nope")) }, Small, tmp.File("out"));
        Assert.Contains("nope", Assert.Throws<DirectoryNotFoundException>(() => EvalStage.Run(scorer, missing)).Message);
        Assert.Equal(0, scorer.Calls);
        var twice = new EvalRequest("r", new[] { new DatasetSpec("voc", vocRoot), new DatasetSpec("voc", vocRoot) }, Small, tmp.File("out"));
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => EvalStage.Run(scorer, twice)).Message);
        Assert.False(Directory.Exists(tmp.File("out")));
        var badWindow = new EvalRequest("r", new[] { new DatasetSpec("voc", vocRoot) },
            Small with { Inference = Small.Inference with { Stride = 0 } }, tmp.File("out"));
        Assert.Contains("stride 0", Assert.Throws<ArgumentException>(() => EvalStage.OpenDatasets(badWindow)).Message);
        Assert.Equal("voc", Assert.Single(EvalStage.OpenDatasets(new EvalRequest("r", new[] { new DatasetSpec("voc", vocRoot) }, Small, "x"))).Name);
    }

    private sealed class InlineProgress(Action<EvalProgress> report) : IProgress<EvalProgress>
    {
        public void Report(EvalProgress value) => report(value);
    }
}
