using System.Diagnostics;
using System.Threading.Channels;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Eval.Datasets;
using SSeg.Eval.Metrics;
using SSeg.Eval.Scoring;

namespace SSeg.Eval.Protocol;

/// <summary>Progress of a dataset evaluation: images done (scored or failed) out of the total.</summary>
public readonly record struct EvalProgress(string Dataset, int Done, int Total);

/// <summary>
/// Runs a scorer over a dataset with the GroupViT/mmseg protocol and accumulates mIoU. Images are decoded ahead
/// of the model on a background task. An image that cannot be read or scored is a counted failure named in the
/// result (the run goes on); a scorer that returns wrongly shaped output stops the run.
/// </summary>
public static class SegmentationEvaluator
{
    public static DatasetEvaluation Evaluate(ISegmentationScorer scorer, ISegmentationDataset dataset, EvalOptions options,
        IProgress<EvalProgress>? progress = null, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var space = ScoredSpace.For(dataset, options.Protocol);
        scorer.Prepare(space.ForegroundNames);
        double? threshold = space.UsesThreshold && !scorer.BackgroundIsLearned
            ? options.BackgroundThreshold ?? dataset.DefaultBackgroundThreshold
            : null;
        string? thresholdSource = threshold is null ? null
            : options.BackgroundThresholdSource ?? (options.BackgroundThreshold is null ? "dataset default" : "given");
        var predictor = new SegmentationPredictor(scorer, space.ForegroundNames.Count, options.Inference, space.PredictorProtocol,
            threshold ?? 0);
        var metrics = new SegmentationMetrics(space.ScoredNames.Count, dataset.IgnoreIndex);
        var samples = options.MaxImages is int max ? dataset.Samples.Take(max).ToList() : dataset.Samples.ToList();
        var failures = new List<string>();
        var kept = new List<KeptPrediction>();

        var channel = Channel.CreateBounded<Loaded>(Math.Max(1, options.Prefetch));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var producer = Task.Run(async () =>
        {
            try
            {
                foreach (var sample in samples)
                {
                    stop.Token.ThrowIfCancellationRequested();
                    var item = Load(dataset, sample);
                    try { await channel.Writer.WriteAsync(item, stop.Token); }
                    catch (OperationCanceledException) { item.Image?.Dispose(); throw; }
                }
            }
            finally { channel.Writer.TryComplete(); }
        }, stop.Token);

        int done = 0;
        bool finished = false;
        try
        {
            while (channel.Reader.WaitToReadAsync(ct).AsTask().GetAwaiter().GetResult())
            {
                while (channel.Reader.TryRead(out var item))
                {
                    using (item.Image)
                    {
                        ct.ThrowIfCancellationRequested();
                        if (item.Error is not null) failures.Add(item.Error);
                        else ScoreOne(item, predictor, space, metrics, kept, options, failures);
                    }
                    progress?.Report(new EvalProgress(dataset.Name, ++done, samples.Count));
                }
            }
            finished = true;
        }
        finally
        {
            if (!finished)
            {
                // Stop the reader task and free what it decoded, so a failed or cancelled run leaks nothing.
                stop.Cancel();
                try { producer.Wait(TimeSpan.FromSeconds(30)); } catch (AggregateException) { }
                while (channel.Reader.TryRead(out var rest)) rest.Image?.Dispose();
            }
        }
        producer.GetAwaiter().GetResult();

        return new DatasetEvaluation(dataset.Name, scorer.Name, options.Protocol, threshold, options.Inference, space.ScoredNames,
            metrics, samples.Count, failures, kept, clock.Elapsed) { ThresholdSource = thresholdSource };
    }

    private static void ScoreOne(Loaded item, SegmentationPredictor predictor, ScoredSpace space, SegmentationMetrics metrics,
        List<KeptPrediction> kept, EvalOptions options, List<string> failures)
    {
        var gt = space.MapGroundTruth(item.Labels!, metrics.IgnoreIndex);
        if (gt.Width != item.Image!.Width || gt.Height != item.Image.Height)
        {
            failures.Add($"{item.Sample.LabelPath}: label is {gt.Width}x{gt.Height} but image {item.Sample.ImagePath} is {item.Image.Width}x{item.Image.Height}");
            return;
        }
        var prediction = predictor.Predict(item.Image);
        metrics.Add(prediction, gt);
        if (kept.Count < options.KeepPredictions) kept.Add(new KeptPrediction(item.Sample, prediction, gt));
    }

    private static Loaded Load(ISegmentationDataset dataset, EvalSample sample)
    {
        Image<Rgb24>? image = null;
        try
        {
            image = dataset.LoadImage(sample);
            var labels = dataset.LoadLabels(sample);
            return new Loaded(sample, image, labels, null);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            image?.Dispose();
            return new Loaded(sample, null, null, $"{sample.Id}: {e.Message}");
        }
    }

    private sealed record Loaded(EvalSample Sample, Image<Rgb24>? Image, LabelMap? Labels, string? Error);
}

/// <summary>
/// The class space that is predicted and scored for a dataset and protocol, and how ground truth maps into it.
/// </summary>
internal sealed record ScoredSpace(IReadOnlyList<string> ScoredNames, IReadOnlyList<string> ForegroundNames,
    BackgroundProtocol PredictorProtocol, bool UsesThreshold, bool DropBackgroundFromGroundTruth)
{
    public static ScoredSpace For(ISegmentationDataset dataset, BackgroundProtocol protocol)
    {
        if (!dataset.HasBackground)
            return new(dataset.ClassNames, dataset.ClassNames, BackgroundProtocol.WithoutBackground, false, false);
        var fg = EvalClassLists.Foreground(dataset.ClassNames);
        return protocol == BackgroundProtocol.WithBackground
            ? new(dataset.ClassNames, fg, BackgroundProtocol.WithBackground, true, false)
            : new(fg, fg, BackgroundProtocol.WithoutBackground, false, true);
    }

    /// <summary>Without background: GT 0 becomes ignore and class c becomes c − 1.</summary>
    public LabelMap MapGroundTruth(LabelMap gt, int ignoreIndex)
    {
        if (!DropBackgroundFromGroundTruth) return gt;
        var mapped = new int[gt.Labels.Length];
        for (int i = 0; i < mapped.Length; i++)
        {
            int v = gt.Labels[i];
            mapped[i] = v == ignoreIndex || v == 0 ? ignoreIndex : v - 1;
        }
        return new LabelMap(gt.Width, gt.Height, mapped);
    }
}
