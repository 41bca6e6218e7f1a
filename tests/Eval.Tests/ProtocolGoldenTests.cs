using System.Text.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Eval.Protocol;
using SSeg.Eval.Scoring;
using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Eval.Tests;

/// <summary>
/// The whole per-image protocol (resize, slide, background rule, average, resize back, argmax) against an
/// independent PyTorch implementation after mmseg's slide_inference (Fixtures/generate_protocol_fixture.py).
/// </summary>
public class ProtocolGoldenTests
{
    [Fact]
    public void PredictionMatchesTheTorchReferenceImplementation()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("protocol_golden.json")));
        var g = doc.RootElement;
        int h = g.GetProperty("height").GetInt32(), w = g.GetProperty("width").GetInt32(), c = g.GetProperty("classes").GetInt32();
        var rgb = g.GetProperty("rgb").EnumerateArray().Select(e => (byte)e.GetInt32()).ToArray();
        using var image = Image.LoadPixelData<Rgb24>(rgb, w, h);
        using var scorer = new LinearSoftmaxScorer(
            g.GetProperty("weights").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray(),
            g.GetProperty("bias").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray());
        scorer.Prepare(Enumerable.Range(1, c).Select(i => $"class {i}").ToList());
        var predictor = new SegmentationPredictor(scorer, c, new InferenceOptions(), BackgroundProtocol.WithBackground, g.GetProperty("tau").GetDouble());

        var labels = predictor.Predict(image).Labels;

        var expected = g.GetProperty("labels").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var margin = g.GetProperty("margin").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(3, scorer.WindowsSeen); // 721x448: three 448 windows
        int mismatches = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            if (labels[i] == expected[i]) continue;
            mismatches++;
            Assert.True(margin[i] < 1e-4, $"pixel {i}: {labels[i]} vs reference {expected[i]} with margin {margin[i]}");
        }
        Assert.True(mismatches <= 2, $"{mismatches} near-tie mismatches");
        Assert.Contains(0, labels); // the background rule fired
    }

    private sealed class LinearSoftmaxScorer(float[] weights, float[] bias) : ISegmentationScorer
    {
        private readonly Tensor _w = tensor(weights, new long[] { bias.Length, 3 });
        private readonly Tensor _b = tensor(bias, new long[] { 1, bias.Length, 1, 1 });
        public int WindowsSeen { get; private set; }
        public string Name => "linear-softmax";
        public Device Device => CPU;
        public bool BackgroundIsLearned => false;
        public void Prepare(IReadOnlyList<string> foregroundClassNames) => Assert.Equal(bias.Length, foregroundClassNames.Count);

        public Tensor ScoreWindows(Tensor windows)
        {
            WindowsSeen += (int)windows.shape[0];
            using var scope = NewDisposeScope();
            return (einsum("bxhw,kx->bkhw", windows, _w) + _b).softmax(1).MoveToOuterDisposeScope();
        }

        public void Dispose() { _w.Dispose(); _b.Dispose(); }
    }
}
