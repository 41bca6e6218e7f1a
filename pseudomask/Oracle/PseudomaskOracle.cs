using System.Diagnostics;
using SSeg.Eval.Datasets;
using SSeg.Eval.Metrics;

namespace SSeg.Pseudomask;

/// <summary>Result of the oracle: dataset-level metrics over the 21 VOC classes.</summary>
public sealed record OracleResult(int Images, double MeanIoU, double PixelAccuracy, IReadOnlyList<double> PerClassIoU,
    IReadOnlyList<string> ClassNames, double Seconds, string GeneratorModel, string Feature);

/// <summary>
/// The paper's check of pseudo-mask quality (docs/method.md §3.3): generate masks for VOC val images, give every
/// cluster the majority ground-truth class of its pixels (ignore 255) after nearest upsampling to the label
/// size, and score with the eval stage's dataset-level mIoU.
/// </summary>
public static class PseudomaskOracle
{
    public static OracleResult Run(string vocDir, GeneratorOptions options, string split = "val", int? limit = null,
        IProgress<(int Done, int Total)>? progress = null, Action<string>? log = null, CancellationToken ct = default)
    {
        var dataset = new VocDataset(vocDir, split);
        using var generator = new PseudomaskGenerator(options, null, log);
        var metrics = new SegmentationMetrics(dataset.ClassNames.Count, dataset.IgnoreIndex);
        var samples = limit is > 0 ? dataset.Samples.Take(limit.Value).ToList() : dataset.Samples;
        var clock = Stopwatch.StartNew();
        var done = 0;
        foreach (var sample in samples)
        {
            ct.ThrowIfCancellationRequested();
            using var image = dataset.LoadImage(sample);
            var labels = dataset.LoadLabels(sample);
            if (labels.Width != image.Width || labels.Height != image.Height)
                throw new InvalidDataException($"{sample.LabelPath}: labels are {labels.Width}x{labels.Height} but {sample.ImagePath} is {image.Width}x{image.Height}.");
            var prepared = generator.Preprocessor.Prepare(sample.Id, 0, image);
            var map = generator.Generate([prepared])[0];
            metrics.Add(MajorityVote(map, labels, dataset.ClassNames.Count, dataset.IgnoreIndex), labels);
            done++;
            progress?.Report((done, samples.Count));
        }
        return new OracleResult(done, metrics.MeanIoU, metrics.AllAccuracy, metrics.PerClassIoU(), dataset.ClassNames,
            clock.Elapsed.TotalSeconds, generator.Backbone.ModelName, FeatureKinds.Name(options.Feature));
    }

    /// <summary>
    /// Upsamples the cluster map to the label size (nearest: source = floor(dest · grid / size), as PyTorch's
    /// nearest mode) and replaces each cluster by the most frequent non-ignored ground-truth class among its pixels
    /// (lowest class on ties; 0 when the cluster covers only ignored pixels).
    /// </summary>
    public static LabelMap MajorityVote(ClusterMap map, LabelMap groundTruth, int numClasses, int ignoreIndex)
    {
        var (h, w) = (groundTruth.Height, groundTruth.Width);
        var clusters = new int[h * w];
        for (var y = 0; y < h; y++)
        {
            var sy = Math.Min(map.Height - 1, (int)((long)y * map.Height / h));
            for (var x = 0; x < w; x++)
            {
                var sx = Math.Min(map.Width - 1, (int)((long)x * map.Width / w));
                clusters[y * w + x] = map.Ids[sy * map.Width + sx];
            }
        }
        var votes = new long[256, numClasses];
        for (var i = 0; i < clusters.Length; i++)
        {
            var g = groundTruth.Labels[i];
            if (g == ignoreIndex || (uint)g >= (uint)numClasses) continue;
            votes[clusters[i], g]++;
        }
        var classOf = new int[256];
        for (var c = 0; c < 256; c++)
        {
            long best = 0;
            for (var k = 0; k < numClasses; k++)
                if (votes[c, k] > best) { best = votes[c, k]; classOf[c] = k; }
        }
        var prediction = new int[h * w];
        for (var i = 0; i < prediction.Length; i++) prediction[i] = classOf[clusters[i]];
        return new LabelMap(w, h, prediction);
    }
}
