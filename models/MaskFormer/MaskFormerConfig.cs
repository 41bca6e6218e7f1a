namespace SSeg.Models.MaskFormer;

/// <summary>
/// MaskFormer image encoder without a class head (docs/method.md §4.1). Backbone = a ViT with a simple feature
/// pyramid (strides 4/8/16/32 from stride-16 tokens) [A: the documented fallback for Swin-S].
/// </summary>
/// <param name="Backbone">The ViT (ViT-S/16 default, random init).</param>
/// <param name="PyramidBlocks">0-based ViT blocks feeding pyramid levels stride 4, 8, 16, 32 (null: evenly spaced, last = final block).</param>
/// <param name="ConvDim">Pixel decoder width (CONVS_DIM).</param>
/// <param name="MaskDim">Mask feature width (MASK_DIM).</param>
/// <param name="GroupNormGroups">GroupNorm groups in the pixel decoder.</param>
/// <param name="HiddenDim">Transformer decoder width.</param>
/// <param name="Queries">Number of queries N.</param>
/// <param name="DecoderLayers">Post-norm decoder layers (each supervised when deep supervision is on).</param>
/// <param name="Heads">Decoder attention heads.</param>
/// <param name="FeedForwardDim">Decoder FFN width.</param>
/// <param name="Dropout">Decoder dropout.</param>
public sealed record MaskFormerConfig(
    VitConfig Backbone,
    int[]? PyramidBlocks = null,
    int ConvDim = 256,
    int MaskDim = 256,
    int GroupNormGroups = 32,
    int HiddenDim = 256,
    int Queries = 64,
    int DecoderLayers = 6,
    int Heads = 8,
    int FeedForwardDim = 2048,
    double Dropout = 0.1)
{
    /// <summary>S-Seg default with a ViT-S/16 backbone.</summary>
    public static MaskFormerConfig VitSmall16 { get; } = new(VitConfig.Small(16));

    public int[] ResolvedPyramidBlocks()
    {
        if (PyramidBlocks is { Length: 4 }) return PyramidBlocks;
        if (PyramidBlocks is not null) throw new ArgumentException("PyramidBlocks needs exactly 4 block indices.");
        int d = Backbone.Depth;
        // 12 blocks -> 3, 5, 7, 11 (BEiT/MAE taps); shallower backbones spread evenly.
        if (d == 12) return [3, 5, 7, 11];
        return [Math.Max(0, d / 4 - 1), Math.Max(0, d / 2 - 1), Math.Max(0, 3 * d / 4 - 1), d - 1];
    }
}
