using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Models.UperNet;

/// <summary>
/// BEiT-style neck turning four same-stride ViT maps (stride 16) into strides 4, 8, 16, 32:
/// upsample_4x = ConvT(k2,s2) → BN → GELU → ConvT(k2,s2); upsample_2x = ConvT(k2,s2); identity; maxpool 2×2 s2.
/// Parameter names follow mmsegmentation's Feature2Pyramid.
/// </summary>
public sealed class Feature2Pyramid : nn.Module<Tensor[], Tensor[]>
{
    private readonly nn.Module<Tensor, Tensor> upsample_4x;
    private readonly nn.Module<Tensor, Tensor> upsample_2x;
    private readonly nn.Module<Tensor, Tensor> maxpool;

    public Feature2Pyramid(long embedDim) : base(nameof(Feature2Pyramid))
    {
        upsample_4x = nn.Sequential(
            nn.ConvTranspose2d(embedDim, embedDim, 2, stride: 2),
            nn.BatchNorm2d(embedDim),
            nn.GELU(),
            nn.ConvTranspose2d(embedDim, embedDim, 2, stride: 2));
        upsample_2x = nn.Sequential(nn.ConvTranspose2d(embedDim, embedDim, 2, stride: 2));
        maxpool = nn.MaxPool2d(2, stride: 2);
        RegisterComponents();
    }

    /// <param name="inputs">Exactly four maps [B, D, H, W].</param>
    public override Tensor[] forward(Tensor[] inputs)
    {
        if (inputs.Length != 4) throw new ArgumentException($"Feature2Pyramid expects 4 feature maps, got {inputs.Length}.");
        return new[]
        {
            upsample_4x.forward(inputs[0]),
            upsample_2x.forward(inputs[1]),
            inputs[2].alias(),
            maxpool.forward(inputs[3]),
        };
    }
}
