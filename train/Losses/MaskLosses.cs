using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Train.Losses;

/// <summary>Losses on matched prediction/target pairs (rows aligned), each divided by the number of masks.</summary>
public static class MaskLosses
{
    /// <summary>Σ_pairs mean_pixels α_t(1−p_t)^γ·BCE, divided by <paramref name="numMasks"/>.</summary>
    public static Tensor SigmoidFocal(Tensor logits, Tensor targets, double numMasks, double alpha = 0.25, double gamma = 2.0)
    {
        using var scope = NewDisposeScope();
        var prob = logits.sigmoid();
        var ce = nn.functional.binary_cross_entropy_with_logits(logits, targets, reduction: nn.Reduction.None);
        var pT = prob * targets + (1 - prob) * (1 - targets);
        var loss = ce * (1 - pT).pow(gamma);
        if (alpha >= 0) loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss;
        return (loss.mean([1]).sum() / numMasks).MoveToOuterDisposeScope();
    }

    /// <summary>Σ_pairs [1 − (2Σσ(m)T + 1)/(Σσ(m) + ΣT + 1)], divided by <paramref name="numMasks"/>.</summary>
    public static Tensor Dice(Tensor logits, Tensor targets, double numMasks)
    {
        using var scope = NewDisposeScope();
        var p = logits.sigmoid();
        var numerator = 2 * (p * targets).sum(-1);
        var denominator = p.sum(-1) + targets.sum(-1);
        return ((1 - (numerator + 1) / (denominator + 1)).sum() / numMasks).MoveToOuterDisposeScope();
    }
}
