using SSeg.Train.Matching;
using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Train.Losses;

/// <summary>Per-layer values of the mask loss, for logging.</summary>
public sealed record MaskLossTerms(double Focal, double Dice, IReadOnlyList<(int[] Queries, int[] Targets)> Matches);

/// <summary>
/// Hungarian-matched focal + dice mask loss with deep supervision (docs/method.md §5.1). Every pseudo-mask is matched
/// to exactly one query; unmatched queries get no loss (no class head).
/// </summary>
public sealed class MaskCriterion(MaskLossOptions options)
{
    public MaskLossOptions Options { get; } = options;

    /// <summary>
    /// <paramref name="predMasks"/>: mask logits [L,B,Q,H,W] (L decoder layers, last = final);
    /// <paramref name="targets"/>: per image a float tensor [K_b,Ht,Wt] of binary masks (K_b may be 0).
    /// Predictions are bilinearly resized to the target size when they differ.
    /// <paramref name="numMasks"/>: normaliser (total masks in the global batch / world size, clamped ≥ 1).
    /// Returns the weighted loss summed over supervised layers, and the per-layer terms (final layer last).
    /// </summary>
    public (Tensor Loss, IReadOnlyList<MaskLossTerms> Layers) Compute(Tensor predMasks, IReadOnlyList<Tensor> targets, double numMasks)
    {
        if (predMasks.dim() != 5) throw new ArgumentException($"predMasks must be [L,B,Q,H,W], got [{string.Join(",", predMasks.shape)}].");
        long layers = predMasks.shape[0], batch = predMasks.shape[1];
        if (targets.Count != batch) throw new ArgumentException($"{targets.Count} target sets for a batch of {batch}.");
        numMasks = Math.Max(numMasks, 1.0);

        long first = Options.DeepSupervision ? 0 : layers - 1;
        Tensor? total = null;
        var terms = new List<MaskLossTerms>();
        for (long l = first; l < layers; l++)
        {
            using var layerScope = NewDisposeScope();
            var (loss, t) = ComputeLayer(predMasks[l], targets, numMasks);
            total = total is null ? loss.MoveToOuterDisposeScope() : (total + loss).MoveToOuterDisposeScope();
            terms.Add(t);
        }
        return (total!, terms);
    }

    private (Tensor Loss, MaskLossTerms Terms) ComputeLayer(Tensor pred /*[B,Q,H,W]*/, IReadOnlyList<Tensor> targets, double numMasks)
    {
        var matches = new List<(int[], int[])>();
        Tensor focal = zeros(1, dtype: pred.dtype, device: pred.device).squeeze();
        Tensor dice = zeros(1, dtype: pred.dtype, device: pred.device).squeeze();
        for (int b = 0; b < targets.Count; b++)
        {
            var target = targets[b];
            long k = target.shape[0];
            if (k == 0) { matches.Add(([], [])); continue; }
            var p = pred[b];
            if (p.shape[1] != target.shape[1] || p.shape[2] != target.shape[2])
                p = nn.functional.interpolate(p.unsqueeze(0), [target.shape[1], target.shape[2]],
                    mode: InterpolationMode.Bilinear, align_corners: false).squeeze(0);
            var pf = p.flatten(1);
            var tf = target.to(pf.dtype).flatten(1);
            var (qi, ki) = Match(pf, tf);
            matches.Add((qi, ki));
            var pm = pf.index_select(0, tensor(qi.Select(x => (long)x).ToArray(), device: pf.device));
            var tm = tf.index_select(0, tensor(ki.Select(x => (long)x).ToArray(), device: tf.device));
            focal = focal + MaskLosses.SigmoidFocal(pm, tm, numMasks, Options.Alpha, Options.Gamma);
            dice = dice + MaskLosses.Dice(pm, tm, numMasks);
        }
        var loss = Options.FocalWeight * focal + Options.DiceWeight * dice;
        return (loss.MoveToOuterDisposeScope(), new MaskLossTerms(focal.ToDouble(), dice.ToDouble(), matches));
    }

    /// <summary>Hungarian matching of one image's Q predictions [Q,HW] to its K targets [K,HW] (no gradient).</summary>
    public (int[] Queries, int[] Targets) Match(Tensor predFlat, Tensor targetFlat)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var p = predFlat.detach().to(float32);
        var t = targetFlat.detach().to(float32);
        var cost = Options.FocalCostWeight * MaskCosts.Focal(p, t, Options.Alpha, Options.Gamma)
                 + Options.DiceCostWeight * MaskCosts.Dice(p, t);
        var values = cost.to(float64).cpu().data<double>().ToArray();
        return LinearAssignment.Solve(values, (int)cost.shape[0], (int)cost.shape[1]);
    }
}
