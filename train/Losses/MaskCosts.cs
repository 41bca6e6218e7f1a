using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Train.Losses;

/// <summary>Pairwise matching costs between Q predicted mask logits and K binary targets (docs/method.md §5.1),
/// MaskFormer's batch focal / dice costs. Inputs are flattened over pixels: logits [Q,HW], targets [K,HW].</summary>
public static class MaskCosts
{
    /// <summary>Mean over pixels of the sigmoid focal loss of each prediction against each target → [Q,K].</summary>
    public static Tensor Focal(Tensor logits, Tensor targets, double alpha = 0.25, double gamma = 2.0)
    {
        using var scope = NewDisposeScope();
        long hw = logits.shape[1];
        var prob = logits.sigmoid();
        // BCE-with-logits against 1 is softplus(-x); against 0 it is softplus(x).
        var pos = (1 - prob).pow(gamma) * nn.functional.softplus(-logits);
        var neg = prob.pow(gamma) * nn.functional.softplus(logits);
        if (alpha >= 0)
        {
            pos = pos * alpha;
            neg = neg * (1 - alpha);
        }
        var cost = (pos.matmul(targets.t()) + neg.matmul((1 - targets).t())) / hw;
        return cost.MoveToOuterDisposeScope();
    }

    /// <summary>1 − (2·Σσ(m)T + 1) / (Σσ(m) + ΣT + 1) for every prediction/target pair → [Q,K].</summary>
    public static Tensor Dice(Tensor logits, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var p = logits.sigmoid();
        var numerator = 2 * p.matmul(targets.t());
        var denominator = p.sum(-1).unsqueeze(1) + targets.sum(-1).unsqueeze(0);
        return (1 - (numerator + 1) / (denominator + 1)).MoveToOuterDisposeScope();
    }
}
