using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Eval.Scoring;

/// <summary>
/// What a model implements to be evaluated. Eval owns everything else: reading datasets, resizing, the
/// sliding-window grid, averaging, the background threshold rule, the label decision and the metrics.
/// </summary>
/// <remarks>
/// Call order: <see cref="Prepare"/> once per dataset (with that dataset's foreground class names), then
/// <see cref="ScoreWindows"/> any number of times; eval disposes the scorer at the end of a run.
/// Two kinds of model fit here:
/// <list type="bullet">
/// <item><b>Background decided by threshold</b> (<see cref="BackgroundIsLearned"/> = false; S-Seg, docs/method.md §7.4):
/// the output has one channel per foreground class, in the order given to <see cref="Prepare"/>, with
/// per-pixel scores in [0, 1] (S-Seg's default combination makes them sum to 1 over the classes; the rule does not rely on it). Eval adds the background channel per window with
/// the GroupViT rule (τ_eff = min(τ, window max); background where the pixel's max score &lt; τ_eff).</item>
/// <item><b>Learned background</b> (<see cref="BackgroundIsLearned"/> = true; S-Seg+, a closed-set classifier):
/// the output has 1 + foreground channels, channel 0 being background, channels 1.. the foreground classes in
/// the order given to <see cref="Prepare"/>. Any monotone score (logits, probabilities) works: the label is
/// the argmax of the window-averaged, resized scores. A closed-set model whose classes differ from the names
/// given must throw from <see cref="Prepare"/> with a message naming the mismatch.</item>
/// </list>
/// In the without-background protocol eval simply ignores channel 0 (or never adds it).
/// Implementations run under no-grad (eval wraps calls in <c>torch.no_grad()</c>) and must not keep
/// references to the input tensor.
/// </remarks>
public interface ISegmentationScorer : IDisposable
{
    /// <summary>Short name shown in reports (for example "S-Seg ViT-S/16 step 190000").</summary>
    string Name { get; }

    /// <summary>The device windows are sent to; eval builds inputs and accumulates scores on it.</summary>
    Device Device { get; }

    /// <summary>True when the output includes a learned background channel 0 (see the type remarks).</summary>
    bool BackgroundIsLearned { get; }

    /// <summary>
    /// Sets the classes to score: foreground names only, in dataset order (for example the 20 VOC names
    /// "aeroplane" … "monitor"; background is never passed). An open-vocabulary model builds its text
    /// classifier here; a closed-set model checks the names against its own classes.
    /// </summary>
    void Prepare(IReadOnlyList<string> foregroundClassNames);

    /// <summary>
    /// Scores a batch of windows. Input: float32 <c>[B, 3, h, w]</c> on <see cref="Device"/>, RGB normalized with
    /// the ImageNet mean/std (docs/method.md §2.3); h, w ≤ the crop size (windows of small images are smaller, never
    /// padded). Output: float32 <c>[B, C, h, w]</c> at the window's own resolution, C = number of foreground
    /// classes (+1 when <see cref="BackgroundIsLearned"/>). Eval disposes the returned tensor.
    /// </summary>
    Tensor ScoreWindows(Tensor windows);
}
