namespace SSeg.Models;

public enum Activation
{
    /// <summary>Exact (erf) GELU, as DINO, MAE and timm ViTs use.</summary>
    Gelu,
    /// <summary>x * sigmoid(1.702 x), as CLIP's text transformer uses.</summary>
    QuickGelu,
}

/// <summary>Shape and behaviour of one pre-norm transformer block.</summary>
/// <param name="Dim">Token width D.</param>
/// <param name="Heads">Attention heads; D must be divisible by it.</param>
/// <param name="MlpRatio">Hidden width of the MLP as a multiple of D.</param>
/// <param name="QkvBias">Bias on the fused qkv projection.</param>
/// <param name="LayerNormEps">LayerNorm epsilon (1e-6 for DINO/MAE, 1e-5 for CLIP-style text encoders).</param>
/// <param name="Activation">MLP activation.</param>
/// <param name="DropPath">Stochastic-depth probability applied in training mode only.</param>
public sealed record TransformerBlockOptions(
    int Dim,
    int Heads,
    double MlpRatio = 4.0,
    bool QkvBias = true,
    double LayerNormEps = 1e-6,
    Activation Activation = Activation.Gelu,
    double DropPath = 0.0)
{
    public int HeadDim => Dim / Heads;
    public int MlpHidden => (int)(Dim * MlpRatio);

    public void Validate()
    {
        if (Dim <= 0 || Heads <= 0 || Dim % Heads != 0)
            throw new ArgumentException($"Dim {Dim} must be a positive multiple of Heads {Heads}.");
        if (DropPath is < 0 or >= 1) throw new ArgumentException($"DropPath {DropPath} must be in [0, 1).");
    }
}
