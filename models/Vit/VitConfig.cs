namespace SSeg.Models;

/// <summary>
/// A ViT's shape. <see cref="ImageSize"/> is the resolution the position embedding was trained for
/// (224 for DINO/MAE); other input sizes interpolate it.
/// </summary>
public sealed record VitConfig(
    string Name,
    int EmbedDim,
    int Depth,
    int Heads,
    int PatchSize,
    int ImageSize = 224,
    double MlpRatio = 4.0,
    bool QkvBias = true,
    double LayerNormEps = 1e-6,
    double DropPath = 0.0,
    int InChannels = 3)
{
    public int GridSide => ImageSize / PatchSize;
    public int NumPatches => GridSide * GridSide;

    /// <summary>Options of block <paramref name="index"/> (drop-path grows linearly with depth, as timm/DINO).</summary>
    public TransformerBlockOptions BlockOptions(int index) => new(
        EmbedDim, Heads, MlpRatio, QkvBias, LayerNormEps, Activation.Gelu,
        Depth > 1 ? DropPath * index / (Depth - 1) : DropPath);

    public static VitConfig Tiny(int patch) => new($"vit_tiny/{patch}", 192, 12, 3, patch);
    public static VitConfig Small(int patch) => new($"vit_small/{patch}", 384, 12, 6, patch);
    public static VitConfig Base(int patch) => new($"vit_base/{patch}", 768, 12, 12, patch);

    /// <summary>DINO-style model names: vit_tiny, vit_small, vit_base (also vit_s / vit_b / tiny / small / base).</summary>
    public static VitConfig FromName(string model, int patch)
    {
        if (patch is not (8 or 16 or 14 or 32)) throw new ArgumentException($"Unsupported patch size {patch} (use 8 or 16).");
        return model.Trim().ToLowerInvariant() switch
        {
            "vit_tiny" or "vit_t" or "tiny" or "vit_ti" => Tiny(patch),
            "vit_small" or "vit_s" or "small" => Small(patch),
            "vit_base" or "vit_b" or "base" => Base(patch),
            _ => throw new ArgumentException($"Unknown model '{model}'. Known: vit_tiny, vit_small, vit_base."),
        };
    }
}
