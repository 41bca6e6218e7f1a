using System.Text.Json;
using SSeg.Eval.Datasets;
using SSeg.Eval.Metrics;
using SSeg.Eval.Protocol;
using SSeg.Eval.Reports;
using SSeg.Eval.Tests.Support;

namespace SSeg.Eval.Tests;

/// <summary>Whole runs of the protocol on a generated VOC-style folder with a known scorer.</summary>
public class EvaluationRunTests
{
    private static readonly int[] PresentClasses = { 0, 1, 7, 8, 12, 15, 20 };

    /// <summary>A scaled-down protocol (short side 96, crop 96, stride 48) for the tests that check other things than scale.</summary>
    private static readonly EvalOptions Small = new()
    {
        Inference = new InferenceOptions { ShortSide = 96, LongSideCap = 512, CropSize = 96, Stride = 48 },
    };

    [Fact]
    public void PerfectColourScorerGetsFullIoUOnPresentClassesWithThresholdBackground()
    {
        using var tmp = TestPaths.NewTempDir();
        var voc = new VocDataset(SyntheticVoc.Create(tmp.Path));
        using var scorer = new ColourScorer();
        var result = SegmentationEvaluator.Evaluate(scorer, voc, new EvalOptions());

        Assert.Equal(EvalClassLists.Foreground(EvalClassLists.Voc), scorer.PreparedNames);
        Assert.Equal(3, result.Metrics.Images);
        Assert.Equal(0.95, result.BackgroundThreshold);
        Assert.False(result.Incomplete);
        for (int c = 0; c < 21; c++)
        {
            if (PresentClasses.Contains(c)) Assert.Equal(1.0, result.Metrics.IoU(c), 12);
            else Assert.True(double.IsNaN(result.Metrics.IoU(c)), $"class {c} should be absent");
        }
        Assert.Equal(1.0, result.MeanIoU, 12);
        // Every non-ignored GT pixel was counted.
        long expectedPixels = SyntheticVoc.DefaultPictures.Sum(p => SyntheticVoc.Labels(p).Labels.Count(v => v != 255));
        Assert.Equal(expectedPixels, result.Metrics.GroundTruthPixels.Sum());
        // 64x48 -> 597x448 (2 windows), 50x70 -> 448x627 (2), 91x41 -> 994x448 (4): batches of up to 8 per image.
        Assert.Equal(3, scorer.Calls);
    }

    [Fact]
    public void ConfusedClassIsScoredAsTheMmsegFormulaSays()
    {
        using var tmp = TestPaths.NewTempDir();
        var voc = new VocDataset(SyntheticVoc.Create(tmp.Path));
        using var scorer = new ColourScorer(confuse: ("cat", "dog"));
        var result = SegmentationEvaluator.Evaluate(scorer, voc, Small);

        var gts = SyntheticVoc.DefaultPictures.Select(SyntheticVoc.Labels).ToList();
        long cat = gts.Sum(g => g.Labels.LongCount(v => v == 8)), dog = gts.Sum(g => g.Labels.LongCount(v => v == 12));
        Assert.Equal(0.0, result.Metrics.IoU(8));
        Assert.Equal((double)dog / (dog + cat), result.Metrics.IoU(12), 12);
        double expectedMiou = (5 + (double)dog / (dog + cat) + 0) / 7;
        Assert.Equal(expectedMiou, result.MeanIoU, 12);
    }

    [Fact]
    public void LearnedBackgroundAndWithoutBackgroundProtocols()
    {
        using var tmp = TestPaths.NewTempDir();
        var voc = new VocDataset(SyntheticVoc.Create(tmp.Path));

        using var learned = new ColourScorer(learnedBackground: true);
        var withBg = SegmentationEvaluator.Evaluate(learned, voc, Small);
        Assert.Null(withBg.BackgroundThreshold);
        Assert.Equal(1.0, withBg.MeanIoU, 12);

        using var open = new ColourScorer();
        var noBg = SegmentationEvaluator.Evaluate(open, voc, Small with { Protocol = BackgroundProtocol.WithoutBackground });
        Assert.Equal(20, noBg.ScoredClassNames.Count);
        Assert.Equal("aeroplane", noBg.ScoredClassNames[0]);
        Assert.Equal(1.0, noBg.MeanIoU, 12);
        Assert.Equal(6, noBg.Metrics.PerClassIoU().Count(v => !double.IsNaN(v)));
        // GT background pixels are ignored: counted pixels are the object interiors only.
        long objectPixels = SyntheticVoc.DefaultPictures.Sum(p => SyntheticVoc.Labels(p).Labels.Count(v => v is not 0 and not 255));
        Assert.Equal(objectPixels, noBg.Metrics.GroundTruthPixels.Sum());
    }

    [Fact]
    public void WholeImageModeAlsoRecoversTheLabels()
    {
        using var tmp = TestPaths.NewTempDir();
        var voc = new VocDataset(SyntheticVoc.Create(tmp.Path));
        using var scorer = new ColourScorer();
        var result = SegmentationEvaluator.Evaluate(scorer, voc,
            new EvalOptions { Inference = new InferenceOptions { Mode = InferenceMode.Whole } });
        Assert.Equal(3, scorer.Calls);
        Assert.Equal(1.0, result.MeanIoU, 12);
    }

    [Fact]
    public void UnreadableImageIsACountedFailureAndTheRunGoesOn()
    {
        using var tmp = TestPaths.NewTempDir();
        var root = SyntheticVoc.Create(tmp.Path);
        File.WriteAllText(Path.Combine(root, "JPEGImages", "2007_000002.jpg"), "not a jpeg");
        var voc = new VocDataset(root);
        using var scorer = new ColourScorer();
        var result = SegmentationEvaluator.Evaluate(scorer, voc, Small);
        Assert.True(result.Incomplete);
        Assert.Equal(2, result.Metrics.Images);
        Assert.Contains("2007_000002", Assert.Single(result.Failures));
    }

    [Fact]
    public void WronglyShapedScorerOutputStopsTheRunWithAClearMessage()
    {
        using var tmp = TestPaths.NewTempDir();
        var voc = new VocDataset(SyntheticVoc.Create(tmp.Path));
        using var scorer = new ColourScorer(learnedBackground: true);
        // Claims no learned background but returns 21 channels: shape mismatch.
        var lying = new LyingScorer(scorer);
        var e = Assert.Throws<InvalidOperationException>(() => SegmentationEvaluator.Evaluate(lying, voc, Small));
        Assert.Contains("expected [", e.Message);
        Assert.Contains("20", e.Message);
    }

    [Fact]
    public void CancellationStopsTheRunAfterTheCurrentImage()
    {
        using var tmp = TestPaths.NewTempDir();
        var voc = new VocDataset(SyntheticVoc.Create(tmp.Path));
        using var scorer = new ColourScorer();
        using var cts = new CancellationTokenSource();
        var seen = new List<int>();
        var progress = new CallbackProgress(p => { seen.Add(p.Done); cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => SegmentationEvaluator.Evaluate(scorer, voc, Small with { Prefetch = 1 }, progress, cts.Token));
        Assert.Equal(new[] { 1 }, seen);
    }

    private sealed class CallbackProgress(Action<EvalProgress> report) : IProgress<EvalProgress>
    {
        public void Report(EvalProgress value) => report(value);
    }

    [Fact]
    public void ReportFolderHasJsonCsvMarkdownChartAndOverlays()
    {
        using var tmp = TestPaths.NewTempDir();
        var voc = new VocDataset(SyntheticVoc.Create(tmp.Path));
        using var a = new ColourScorer();
        using var b = new ColourScorer(confuse: ("cat", "dog"));
        var r1 = SegmentationEvaluator.Evaluate(a, voc, Small with { KeepPredictions = 2 });
        var r2 = SegmentationEvaluator.Evaluate(b, voc, Small with { Protocol = BackgroundProtocol.WithoutBackground }) with { Dataset = "voc-nobg" };
        var report = new RunReport("test-run", "colour", DateTimeOffset.UtcNow, new[] { r1, r2 });
        var dir = tmp.File("reports/test-run");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "stale.csv"), "from an earlier run");
        var files = ReportWriter.Write(dir, report);
        Assert.False(File.Exists(Path.Combine(dir, "stale.csv")));
        Assert.Single(Directory.GetDirectories(tmp.File("reports"))); // no staging folder left

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "report.json")));
        var ds = json.RootElement.GetProperty("datasets");
        Assert.Equal(1.0, ds[0].GetProperty("mIoU").GetDouble(), 12);
        Assert.Equal(21, ds[0].GetProperty("classes").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, ds[0].GetProperty("classes")[2].GetProperty("iou").ValueKind); // bicycle absent
        Assert.Equal((r1.MeanIoU + r2.MeanIoU) / 2, json.RootElement.GetProperty("average_mIoU").GetDouble(), 12);

        var csv = File.ReadAllLines(Path.Combine(dir, "voc.csv"));
        Assert.Equal(22, csv.Length);
        Assert.StartsWith("8,cat,1,1,", csv[9]);

        var md = File.ReadAllText(Path.Combine(dir, "report.md"));
        Assert.Contains("| model | background | aeroplane |", md);
        Assert.Contains("**2-average**", md);
        Assert.Contains("| voc | with bg | 0.95 | 3 | 100.0 |", md);

        var chartPath = Path.Combine(dir, "plots", "class-iou.png");
        SSeg.Tests.Common.PlotAssert.IsDrawnPng(chartPath, SSeg.Runs.Plots.PlotWriter.Width);
        using var chart = SixLabors.ImageSharp.Image.Load<SixLabors.ImageSharp.PixelFormats.Rgb24>(chartPath);
        Assert.Equal((110 + 22 * 21) + (110 + 22 * 20), chart.Height); // a panel per dataset: 21 classes with background, 20 without
        var pixels = new List<SixLabors.ImageSharp.PixelFormats.Rgb24>();
        for (int y = 0; y < chart.Height; y++) for (int x = 0; x < chart.Width; x++) pixels.Add(chart[x, y]);
        Assert.True(pixels.Count(p => p.R > 180 && p.G < 60 && p.B < 60) > 50, "the dashed red mIoU line");
        Assert.Contains(LabelColors.For(8, -1), pixels);                                           // the cat bar
        Assert.Equal(2, Directory.GetFiles(Path.Combine(dir, "overlays"), "voc_*.png").Length);
        using var overlay = SixLabors.ImageSharp.Image.Load<SixLabors.ImageSharp.PixelFormats.Rgb24>(Path.Combine(dir, "overlays", "voc_2007_000001.png"));
        Assert.Equal(3 * 64 + 8, overlay.Width);
        Assert.All(files, f => Assert.True(File.Exists(f)));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories));
    }

    private sealed class LyingScorer(ColourScorer inner) : SSeg.Eval.Scoring.ISegmentationScorer
    {
        public string Name => "lying";
        public TorchSharp.torch.Device Device => inner.Device;
        public bool BackgroundIsLearned => false;
        public void Prepare(IReadOnlyList<string> names) => inner.Prepare(names);
        public TorchSharp.torch.Tensor ScoreWindows(TorchSharp.torch.Tensor windows) => inner.ScoreWindows(windows);
        public void Dispose() { }
    }
}
