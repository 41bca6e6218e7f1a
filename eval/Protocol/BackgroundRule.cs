using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Eval.Protocol;

/// <summary>
/// GroupViT's background rule (docs/method.md §7.4 step 4), applied per window: τ_eff = min(τ, max over classes and
/// pixels of the window's scores); background channel = 1 where the pixel's best foreground score &lt; τ_eff, else 0.
/// </summary>
public static class BackgroundRule
{
    /// <summary>Per-dataset default τ from GroupViT's configs.</summary>
    public static double DefaultThreshold(string datasetName) => datasetName.ToLowerInvariant() switch
    {
        "voc" => 0.95,
        "context" => 0.35,
        "coco-object" => 0.95,
        _ => 0.95,
    };

    /// <summary>Foreground scores [B, C_fg, h, w] in [0,1] → [B, 1 + C_fg, h, w] with the thresholded background first.</summary>
    public static Tensor Apply(Tensor foregroundScores, double threshold)
    {
        if (foregroundScores.dim() != 4) throw new ArgumentException($"expected [B, C, h, w] scores, got [{string.Join(", ", foregroundScores.shape)}]");
        using var scope = NewDisposeScope();
        long b = foregroundScores.shape[0];
        var windowMax = foregroundScores.reshape(b, -1).amax(new long[] { 1 }); // [B]
        var tauEff = windowMax.clamp_max(threshold).reshape(b, 1, 1, 1);
        var pixelMax = foregroundScores.amax(new long[] { 1 }, keepdim: true); // [B,1,h,w]
        var background = pixelMax.lt(tauEff).to(foregroundScores.dtype);
        return cat(new[] { background, foregroundScores }, 1).MoveToOuterDisposeScope();
    }
}
