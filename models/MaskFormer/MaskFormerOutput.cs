using static TorchSharp.torch;

namespace SSeg.Models.MaskFormer;

/// <summary>Outputs of <see cref="MaskFormerModel"/>; owns its tensors.</summary>
/// <param name="PredMasks">Mask logits per decoder layer [L, B, Q, H/4, W/4] (last = final layer).</param>
/// <param name="QueryFeatures">Final-layer query features hs[-1] (post final LayerNorm) [B, Q, D].</param>
/// <param name="MaskFeatures">Per-pixel mask features of the pixel decoder [B, C_mask, H/4, W/4].</param>
public sealed record MaskFormerOutput(Tensor PredMasks, Tensor QueryFeatures, Tensor MaskFeatures) : IDisposable
{
    public Tensor FinalMasks => PredMasks[-1];

    public void Dispose()
    {
        PredMasks.Dispose();
        QueryFeatures.Dispose();
        MaskFeatures.Dispose();
    }
}
