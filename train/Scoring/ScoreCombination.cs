using static TorchSharp.torch;

namespace SSeg.Train.Scoring;

/// <summary>
/// How a window's per-query class similarities (cosine cos[q,c] between projected query and class embeddings,
/// P[q,c] = softmax_c(s·cos[q,c])) and sigmoid masks M[q,p] become per-class scores in [0, 1] for eval's GroupViT
/// background threshold (METHOD.md §7.4 step 3, an [A] choice). Scorer setting <c>combination=NAME</c>; the default
/// is <see cref="ScoreCombinations.Default"/> (measured, see train/README.md).
/// </summary>
public enum ScoreCombination
{
    /// <summary><c>normalized</c>: S̃[c,p] = S[c,p] / Σ_c' S[c',p] with S = Σ_q P[q,c]·M[q,p] (METHOD.md §7.4 as written;
    /// the default). Sums to 1 per pixel: the mask-weighted mean class distribution.</summary>
    Normalized,

    /// <summary><c>sum-clipped</c>: min(S[c,p], 1), MaskFormer's semantic inference without renormalisation.</summary>
    SumClipped,

    /// <summary><c>normalized-x-mask</c>: S̃[c,p]·max_q M[q,p], the class distribution times the best mask confidence.</summary>
    NormalizedTimesMask,

    /// <summary><c>max-query</c>: max_q P[q,c]·M[q,p], the single most confident (query, class) pair at the pixel
    /// (MaskFormer's panoptic-inference pixel assignment, argmax_q score_q·mask_q, kept per class).</summary>
    MaxQuery,

    /// <summary><c>argmax-query</c>: P[q*,c] with q* = argmax_q M[q,p]: each pixel takes the class distribution of its
    /// most confident mask, as GroupViT's hard group assignment does before its threshold.</summary>
    ArgmaxQuery,

    /// <summary><c>mask-weighted-cosine</c>: Σ_q M[q,p]·max(cos[q,c], 0) / Σ_q M[q,p], the mask-weighted absolute
    /// similarity (no softmax over the class list, so a region unlike every class keeps low scores).</summary>
    MaskWeightedCosine,

    /// <summary><c>contribution</c>: S̃[c,p]·o[p] with o[p] = Σ_q w_q·M[q,p] / Σ_q M[q,p] and w_q = |g_q| / max |g|, the
    /// norm of query q's projected embedding before normalisation (its weight in the averaged image embedding).</summary>
    Contribution,
}

public static class ScoreCombinations
{
    public const string SettingKey = "combination";

    /// <summary>METHOD.md §7.4 as written: no alternative was better on held-out shapes both after short and after longer
    /// training (train/README.md).</summary>
    public const ScoreCombination Default = ScoreCombination.Normalized;

    public static readonly IReadOnlyList<ScoreCombination> All = Enum.GetValues<ScoreCombination>();

    public static string Name(ScoreCombination c) => c switch
    {
        ScoreCombination.Normalized => "normalized",
        ScoreCombination.SumClipped => "sum-clipped",
        ScoreCombination.NormalizedTimesMask => "normalized-x-mask",
        ScoreCombination.MaxQuery => "max-query",
        ScoreCombination.ArgmaxQuery => "argmax-query",
        ScoreCombination.MaskWeightedCosine => "mask-weighted-cosine",
        ScoreCombination.Contribution => "contribution",
        _ => throw new ArgumentOutOfRangeException(nameof(c)),
    };

    public static ScoreCombination Parse(string name)
    {
        foreach (var c in All)
            if (string.Equals(Name(c), name.Trim(), StringComparison.OrdinalIgnoreCase)) return c;
        throw new ArgumentException($"unknown S-Seg score combination '{name}' (known: {string.Join(", ", All.Select(Name))})");
    }

    /// <summary>Cosine similarities <paramref name="cosine"/> [B,Q,C], the logit scale s and sigmoid masks
    /// <paramref name="masks"/> [B,Q,h,w] → scores [B,C,h,w] in [0,1].</summary>
    public static Tensor Combine(Tensor cosine, double scale, Tensor masks, ScoreCombination combination, Tensor? queryNorms = null)
    {
        using var scope = NewDisposeScope();
        var p = (scale * cosine).softmax(-1);
        Tensor result = combination switch
        {
            ScoreCombination.Normalized => Normalize(einsum("bqc,bqhw->bchw", p, masks)),
            ScoreCombination.SumClipped => einsum("bqc,bqhw->bchw", p, masks).clamp_max(1.0),
            ScoreCombination.NormalizedTimesMask => Normalize(einsum("bqc,bqhw->bchw", p, masks)) * masks.amax(new long[] { 1 }, keepdim: true),
            ScoreCombination.MaxQuery => MaxOverQueries(p, masks),
            ScoreCombination.ArgmaxQuery => BestMaskClasses(p, masks),
            ScoreCombination.MaskWeightedCosine => einsum("bqc,bqhw->bchw", cosine.clamp_min(0), masks) / masks.sum(1, keepdim: true).clamp_min(1e-8),
            ScoreCombination.Contribution => Normalize(einsum("bqc,bqhw->bchw", p, masks)) * Objectness(queryNorms!, masks),
            _ => throw new ArgumentOutOfRangeException(nameof(combination)),
        };
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Running max over queries, so memory stays [B,C,h,w] rather than [B,Q,C,h,w].</summary>
    private static Tensor MaxOverQueries(Tensor p, Tensor masks)
    {
        var best = QueryScores(p, masks, 0);
        for (long q = 1; q < p.shape[1]; q++)
        {
            using var step = NewDisposeScope();
            var next = best.maximum(QueryScores(p, masks, q)).MoveToOuterDisposeScope();
            best.Dispose();
            best = next;
        }
        return best;
    }

    /// <summary>P[q*(p), c] with q*(p) the query of the highest mask value at p (first on ties).</summary>
    private static Tensor BestMaskClasses(Tensor p, Tensor masks)
    {
        long b = masks.shape[0], h = masks.shape[2], w = masks.shape[3], c = p.shape[2];
        var best = masks.argmax(1).reshape(b, h * w, 1).expand(b, h * w, c);            // [B,hw,C] query index per pixel
        return p.gather(1, best).permute(0, 2, 1).reshape(b, c, h, w);
    }

    /// <summary>P[q,c]·M[q,p] of one query: [B,C,h,w].</summary>
    private static Tensor QueryScores(Tensor p, Tensor masks, long q) => p[.., q].unsqueeze(-1).unsqueeze(-1) * masks[.., q].unsqueeze(1);

    private static Tensor Objectness(Tensor norms, Tensor masks)
    {
        var w = norms / norms.amax(new long[] { 1 }, keepdim: true).clamp_min(1e-8);
        return einsum("bq,bqhw->bhw", w, masks).unsqueeze(1) / masks.sum(1, keepdim: true).clamp_min(1e-8);
    }

    private static Tensor Normalize(Tensor s) => s / s.sum(1, keepdim: true).clamp_min(1e-8);
}
