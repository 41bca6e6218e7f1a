namespace SSeg.Models.Text;

/// <summary>Shape of the text encoder (docs/method.md §4.2). Defaults: GroupViT/S-Seg (12 layers, width 256, 4 heads, context 77).</summary>
public sealed record TextTransformerConfig(
    int VocabSize = 49408,
    int ContextLength = 77,
    int Width = 256,
    int Layers = 12,
    int Heads = 4,
    double MlpRatio = 4.0,
    double LayerNormEps = 1e-5)
{
    public static TextTransformerConfig Default { get; } = new();
}
