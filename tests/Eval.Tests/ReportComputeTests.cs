using System.Text.Json;
using SSeg.Eval.Protocol;
using SSeg.Eval.Scoring;
using SSeg.Eval.Stage;
using SSeg.Eval.Tests.Support;
using SSeg.Models;
using static TorchSharp.torch;

namespace SSeg.Eval.Tests;

/// <summary>An eval run's report states the device, the scorer's forward-pass precision and the thread count.</summary>
public class ReportComputeTests
{
    private static readonly EvalOptions Small = new()
    {
        Inference = new InferenceOptions { ShortSide = 96, LongSideCap = 512, CropSize = 96, Stride = 48 },
    };

    [Fact]
    public void ReportJsonAndMarkdownRecordDevicePrecisionAndThreads()
    {
        using var tmp = TestPaths.NewTempDir();
        var vocRoot = SyntheticVoc.Create(tmp.File("data"));
        using var scorer = new Bf16ColourScorer();
        var reportDir = tmp.File("root/reports/bf16");
        var report = EvalStage.Run(scorer, new EvalRequest("bf16", [new DatasetSpec("voc", vocRoot, BackgroundThreshold: 0.9)], Small, reportDir));

        Assert.Equal(new ComputeInfo("cpu", "bf16", report.Compute!.Threads), report.Compute);
        Assert.True(report.Compute.Threads > 0);
        Assert.Equal(1.0, report.Datasets[0].MeanIoU, 6);   // colours survive bf16 rounding: same answer as fp32
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(reportDir, "report.json")));
        var compute = json.RootElement.GetProperty("compute");
        Assert.Equal("cpu", compute.GetProperty(ComputeInfo.DeviceKey).GetString());
        Assert.Equal("bf16", compute.GetProperty(ComputeInfo.PrecisionKey).GetString());
        Assert.Equal(report.Compute.Threads, compute.GetProperty(ComputeInfo.ThreadsKey).GetInt32());
        var md = File.ReadAllText(Path.Combine(reportDir, "report.md"));
        Assert.Contains($"device cpu, precision bf16, {report.Compute.Threads} threads", md);
    }

    [Fact]
    public void AnFp32ScorerIsReportedAsFp32()
    {
        using var tmp = TestPaths.NewTempDir();
        var vocRoot = SyntheticVoc.Create(tmp.File("data"));
        using var scorer = new ColourScorer();
        var report = EvalStage.Run(scorer, new EvalRequest("fp32", [new DatasetSpec("voc", vocRoot)], Small, tmp.File("out")));
        Assert.Equal("fp32", report.Compute!.Precision);
    }

    /// <summary>The colour scorer with its input rounded through bf16, declaring bf16 as a reduced-precision model does.</summary>
    private sealed class Bf16ColourScorer : ISegmentationScorer
    {
        private readonly ColourScorer _inner = new();
        public string Name => "colour-bf16";
        public Device Device => _inner.Device;
        public InferencePrecision Precision => InferencePrecision.Bf16;
        public bool BackgroundIsLearned => false;
        public void Prepare(IReadOnlyList<string> names) => _inner.Prepare(names);
        public Tensor ScoreWindows(Tensor windows)
        {
            using var rounded = windows.to(ScalarType.BFloat16).to(ScalarType.Float32);
            return _inner.ScoreWindows(rounded);
        }
        public void Dispose() => _inner.Dispose();
    }
}
