using System.CommandLine;
using System.Diagnostics;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Eval.Metrics;
using SSeg.Eval.Protocol;
using SSeg.Eval.Scoring;
using SSeg.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Pipelines.Bench;

/// <summary>
/// `bench eval`: the protocol's own cost per image (keep-ratio resize, slide windows, background rule, averaging,
/// resize back, argmax, metrics) with a scorer that costs almost nothing, for 21 and 81 classes.
/// </summary>
internal static class EvalBench
{
    public static Command Create(string name)
    {
        var command = new Command(name, "Benchmark the evaluation protocol's overhead per image (no model) and print images/s.");
        var images = new Option<int>("--images") { Description = "Images per configuration.", DefaultValueFactory = _ => 20 };
        var device = new Option<string?>("--device") { Description = "cpu, cuda or cuda:N." };
        command.Options.Add(images);
        command.Options.Add(device);
        command.SetAction(parse =>
        {
            var dev = DeviceSelector.Select(parse.GetValue(device));
            int n = parse.GetValue(images);
            Console.WriteLine($"device {DeviceSelector.Describe(dev)}, {n} images of 500x375 per row");
            Console.WriteLine("classes  mode   protocol        images/s  ms/image");
            foreach (var classes in new[] { 20, 80 })
            foreach (var mode in new[] { InferenceMode.Slide, InferenceMode.Whole })
            foreach (var learned in new[] { false, true })
            {
                using var scorer = new CheapScorer(dev, learned);
                scorer.Prepare(Enumerable.Range(0, classes).Select(i => $"c{i}").ToList());
                var predictor = new SegmentationPredictor(scorer, classes, new InferenceOptions { Mode = mode }, BackgroundProtocol.WithBackground, 0.95);
                var metrics = new SegmentationMetrics(classes + 1);
                using var image = new Image<Rgb24>(500, 375);
                var rng = new Random(1);
                image.ProcessPixelRows(rows =>
                {
                    for (int y = 0; y < rows.Height; y++)
                    foreach (ref var px in rows.GetRowSpan(y)) px = new Rgb24((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256));
                });
                var gt = new LabelMap(500, 375);
                predictor.Predict(image); // warm-up
                var clock = Stopwatch.StartNew();
                for (int i = 0; i < n; i++) metrics.Add(predictor.Predict(image), gt);
                double s = clock.Elapsed.TotalSeconds;
                Console.WriteLine($"{classes + 1,7}  {mode,-5}  {(learned ? "learned bg" : "threshold bg"),-14} {n / s,9:F2}  {1000 * s / n,8:F1}");
            }
            return 0;
        });
        return command;
    }

    /// <summary>Scores = softmax of a fixed random projection of the RGB window (cheap, deterministic).</summary>
    private sealed class CheapScorer(Device device, bool learned) : ISegmentationScorer
    {
        private Tensor? _weights;
        public string Name => "cheap";
        public Device Device => device;
        public bool BackgroundIsLearned => learned;

        public void Prepare(IReadOnlyList<string> foregroundClassNames)
        {
            int c = foregroundClassNames.Count + (learned ? 1 : 0);
            _weights = randn(new long[] { c, 3 }, generator: new Generator(7).manual_seed(7)).to(device);
        }

        public Tensor ScoreWindows(Tensor windows)
        {
            using var scope = NewDisposeScope();
            return einsum("bxhw,kx->bkhw", windows, _weights!).softmax(1).MoveToOuterDisposeScope();
        }

        public void Dispose() => _weights?.Dispose();
    }
}
