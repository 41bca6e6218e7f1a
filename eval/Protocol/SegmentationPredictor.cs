using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Eval.Metrics;
using SSeg.Eval.Scoring;
using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Eval.Protocol;

/// <summary>
/// Turns an image into a label map with a scorer: keep-ratio resize, slide (or whole) windows, background
/// handling per window, average by window count, bilinear resize back to the original size, argmax
/// (docs/method.md §7.3–7.4). Labels index the scored classes: with background 0 = background and 1..C_fg the
/// foreground classes; without background 0..C_fg−1 the foreground classes.
/// </summary>
public sealed class SegmentationPredictor
{
    private readonly ISegmentationScorer _scorer;
    private readonly InferenceOptions _options;

    /// <param name="scorer">A scorer already prepared with the dataset's foreground names.</param>
    /// <param name="foregroundClasses">Number of foreground classes given to <see cref="ISegmentationScorer.Prepare"/>.</param>
    /// <param name="protocol">With or without background.</param>
    /// <param name="backgroundThreshold">τ of the GroupViT rule (used only for scorers without learned background).</param>
    public SegmentationPredictor(ISegmentationScorer scorer, int foregroundClasses, InferenceOptions options,
        BackgroundProtocol protocol, double backgroundThreshold)
    {
        options.Validate();
        if (foregroundClasses <= 0) throw new ArgumentOutOfRangeException(nameof(foregroundClasses));
        _scorer = scorer;
        _options = options;
        ForegroundClasses = foregroundClasses;
        Protocol = protocol;
        BackgroundThreshold = backgroundThreshold;
    }

    public int ForegroundClasses { get; }
    public BackgroundProtocol Protocol { get; }
    public double BackgroundThreshold { get; }

    /// <summary>Channels of the averaged score map: 1 + C_fg with background, C_fg without.</summary>
    public int OutputChannels => Protocol == BackgroundProtocol.WithBackground ? ForegroundClasses + 1 : ForegroundClasses;

    public LabelMap Predict(Image<Rgb24> image)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var input = KeepRatioResize.Prepare(image, _options, _scorer.Device);
        var scores = ScoreResized(input);
        return ResizeArgmax(scores, image.Width, image.Height, _options.ResizeChannelChunk);
    }

    /// <summary>
    /// One label map per background threshold, with background (scorers without learned background): the scorer runs
    /// once per window and each τ's rule is applied to the same scores, as if <see cref="Predict"/> ran once per τ.
    /// </summary>
    public IReadOnlyList<LabelMap> PredictAtThresholds(Image<Rgb24> image, IReadOnlyList<double> thresholds)
    {
        if (Protocol != BackgroundProtocol.WithBackground || _scorer.BackgroundIsLearned)
            throw new InvalidOperationException("thresholds apply only with background and to scorers without a learned background");
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var input = KeepRatioResize.Prepare(image, _options, _scorer.Device);
        int channels = OutputChannels;
        Tensor AllThresholds(Tensor windows)
        {
            using var inner = NewDisposeScope();
            var scores = RawScores(windows);
            return cat(thresholds.Select(t => BackgroundRule.Apply(scores, t)).ToArray(), 1).MoveToOuterDisposeScope();
        }
        var averaged = _options.Mode == InferenceMode.Whole
            ? AllThresholds(input)[0]
            : SlideAverage(input, _options.CropSize, _options.Stride, _options.WindowBatch, channels * thresholds.Count, AllThresholds);
        return thresholds.Select((_, i) => ResizeArgmax(averaged.narrow(0, i * channels, channels), image.Width, image.Height, _options.ResizeChannelChunk)).ToArray();
    }

    /// <summary>Averaged scores [C_out, H', W'] of a resized, normalized image [1, 3, H', W'].</summary>
    public Tensor ScoreResized(Tensor input)
    {
        if (_options.Mode == InferenceMode.Whole) return ScoreWindowBatch(input)[0];
        return SlideAverage(input, _options.CropSize, _options.Stride, _options.WindowBatch, OutputChannels, ScoreWindowBatch);
    }

    /// <summary>
    /// mmseg slide inference: windows from <see cref="SlidingWindowGrid"/>, each scored by <paramref name="scoreWindows"/>
    /// ([B,3,h,w] → [B,C,h,w]), summed into a canvas and divided by the per-pixel window count.
    /// </summary>
    public static Tensor SlideAverage(Tensor input, int crop, int stride, int windowBatch, int channels,
        Func<Tensor, Tensor> scoreWindows)
    {
        using var scope = NewDisposeScope();
        int h = (int)input.shape[2], w = (int)input.shape[3];
        var canvas = zeros(new long[] { channels, h, w }, dtype: float32, device: input.device);
        var count = zeros(new long[] { 1, h, w }, dtype: float32, device: input.device);
        var windows = SlidingWindowGrid.Windows(h, w, crop, stride);
        foreach (var group in windows.GroupBy(win => (win.Height, win.Width)))
        {
            foreach (var batch in group.Chunk(windowBatch))
            {
                using var batchScope = NewDisposeScope();
                var crops = cat(batch.Select(win => input.narrow(2, win.Y1, win.Height).narrow(3, win.X1, win.Width)).ToArray(), 0);
                var scores = scoreWindows(crops);
                for (int b = 0; b < batch.Length; b++)
                {
                    var win = batch[b];
                    canvas.narrow(1, win.Y1, win.Height).narrow(2, win.X1, win.Width).add_(scores[b]);
                    count.narrow(1, win.Y1, win.Height).narrow(2, win.X1, win.Width).add_(1f);
                }
            }
        }
        return (canvas / count).MoveToOuterDisposeScope();
    }

    /// <summary>Scores windows with the scorer, validates the shape and applies the background protocol.</summary>
    private Tensor ScoreWindowBatch(Tensor windows)
    {
        using var scope = NewDisposeScope();
        var scores = RawScores(windows);
        Tensor result = (Protocol, _scorer.BackgroundIsLearned) switch
        {
            (BackgroundProtocol.WithBackground, true) => scores,
            (BackgroundProtocol.WithBackground, false) => BackgroundRule.Apply(scores, BackgroundThreshold),
            (BackgroundProtocol.WithoutBackground, true) => scores.narrow(1, 1, ForegroundClasses),
            _ => scores,
        };
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>The scorer's float32 window scores, shape-checked.</summary>
    private Tensor RawScores(Tensor windows)
    {
        using var scope = NewDisposeScope();
        var raw = _scorer.ScoreWindows(windows);
        long expected = _scorer.BackgroundIsLearned ? ForegroundClasses + 1 : ForegroundClasses;
        if (raw.dim() != 4 || raw.shape[0] != windows.shape[0] || raw.shape[1] != expected ||
            raw.shape[2] != windows.shape[2] || raw.shape[3] != windows.shape[3])
            throw new InvalidOperationException(
                $"scorer '{_scorer.Name}' returned [{string.Join(", ", raw.shape)}] for windows [{string.Join(", ", windows.shape)}]; " +
                $"expected [{windows.shape[0]}, {expected}, {windows.shape[2]}, {windows.shape[3]}]");
        return raw.to(float32).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Bilinearly resizes scores [C, H', W'] to (width, height) (align_corners = false) and takes the per-pixel argmax
    /// (first maximum on ties), channels in chunks so memory stays bounded for large vocabularies.
    /// </summary>
    public static LabelMap ResizeArgmax(Tensor scores, int width, int height, int channelChunk, int labelOffset = 0)
    {
        using var scope = NewDisposeScope();
        long channels = scores.shape[0];
        Tensor? bestValue = null, bestIndex = null;
        for (long c0 = 0; c0 < channels; c0 += channelChunk)
        {
            long n = Math.Min(channelChunk, channels - c0);
            var chunk = ResizeScores(scores.narrow(0, c0, n), width, height);
            var (value, index) = chunk.max(0);
            index = index + c0;
            if (bestValue is null) { bestValue = value; bestIndex = index; continue; }
            var better = value.gt(bestValue);
            bestValue = where(better, value, bestValue);
            bestIndex = where(better, index, bestIndex!);
        }
        var labels = (bestIndex! + labelOffset).to(int32).cpu();
        return new LabelMap(width, height, labels.data<int>().ToArray());
    }

    /// <summary>Bilinear resize of scores [C, H, W] to [C, height, width] with align_corners = false.</summary>
    public static Tensor ResizeScores(Tensor scores, int width, int height)
    {
        if (scores.shape[1] == height && scores.shape[2] == width) return scores.alias();
        using var scope = NewDisposeScope();
        return nn.functional.interpolate(scores.unsqueeze(0), new long[] { height, width }, mode: InterpolationMode.Bilinear,
            align_corners: false)[0].MoveToOuterDisposeScope();
    }
}
