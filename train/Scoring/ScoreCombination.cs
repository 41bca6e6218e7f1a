using static TorchSharp.torch;

namespace SSeg.Train.Scoring;

/// <summary>
/// How a window's per-query class probabilities P[q,c] = softmax_c(s·cos(f_q, t_c)) (classes and background concepts
/// together) and sigmoid masks M[q,p] become per-class pixel scores in [0, 1], which eval thresholds for background
/// (docs/method.md §7.4, an [A] choice measured in train/README.md, "Background"). Scorer setting <c>combination=NAME</c>.
/// </summary>
public enum ScoreCombination
{
    /// <summary><c>argmax-query</c> (default): each pixel takes the class distribution of its most confident mask,
    /// P[q*(p), c] with q*(p) = argmax_q M[q,p] — GroupViT's hard assignment of pixels to groups before its threshold.
    /// A background region keeps its own flat or background-concept distribution instead of borrowing mass from
    /// overlapping object masks.</summary>
    ArgmaxQuery,

    /// <summary><c>normalized</c>: S[c,p] / Σ_c' S[c',p] with S = Σ_q P[q,c]·M[q,p], MaskFormer's semantic inference
    /// normalised per pixel (docs/method.md §7.4, `normalized`).</summary>
    Normalized,
}

public static class ScoreCombinations
{
    public const string SettingKey = "combination";

    public const ScoreCombination Default = ScoreCombination.ArgmaxQuery;

    public static readonly IReadOnlyList<ScoreCombination> All = Enum.GetValues<ScoreCombination>();

    public static string Name(ScoreCombination c) => c switch
    {
        ScoreCombination.ArgmaxQuery => "argmax-query",
        ScoreCombination.Normalized => "normalized",
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
    public static Tensor Combine(Tensor cosine, double scale, Tensor masks, ScoreCombination combination)
    {
        using var scope = NewDisposeScope();
        var p = (scale * cosine).softmax(-1);
        Tensor result = combination switch
        {
            ScoreCombination.ArgmaxQuery => BestMaskClasses(p, masks),
            ScoreCombination.Normalized => Normalize(einsum("bqc,bqhw->bchw", p, masks)),
            _ => throw new ArgumentOutOfRangeException(nameof(combination)),
        };
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>P[q*(p), c] with q*(p) the query of the highest mask value at p (first on ties).</summary>
    private static Tensor BestMaskClasses(Tensor p, Tensor masks)
    {
        long b = masks.shape[0], h = masks.shape[2], w = masks.shape[3], c = p.shape[2];
        var best = masks.argmax(1).reshape(b, h * w, 1).expand(b, h * w, c);            // [B,hw,C] query index per pixel
        return p.gather(1, best).permute(0, 2, 1).reshape(b, c, h, w);
    }

    private static Tensor Normalize(Tensor s) => s / s.sum(1, keepdim: true).clamp_min(1e-8);
}
