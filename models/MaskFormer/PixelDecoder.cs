using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SSeg.Models.MaskFormer;

/// <summary>
/// MaskFormer's BasePixelDecoder (FPN, docs/method.md §4.1): res5 → 3×3 conv+GN+ReLU; for res4, res3, res2: lateral
/// 1×1 conv+GN, add the nearest-upsampled coarser map, 3×3 conv+GN+ReLU; mask features = 3×3 conv on the stride-4 map.
/// </summary>
public sealed class PixelDecoder : nn.Module<Tensor[], Tensor>
{
    public readonly ModuleList<ConvGroupNorm> lateral_convs;
    public readonly ModuleList<ConvGroupNorm> output_convs;
    public readonly Conv2d mask_features;

    /// <param name="inChannels">Channels of res2, res3, res4, res5 (fine to coarse).</param>
    public PixelDecoder(IReadOnlyList<long> inChannels, int convDim, int maskDim, int groups) : base("pixel_decoder")
    {
        if (inChannels.Count != 4) throw new ArgumentException("PixelDecoder expects 4 input levels.");
        // lateral for res2..res4 (index 0..2); output convs for res2..res5 (index 0..3)
        lateral_convs = nn.ModuleList(Enumerable.Range(0, 3).Select(i => new ConvGroupNorm(inChannels[i], convDim, 1, groups, relu: false)).ToArray());
        output_convs = nn.ModuleList(Enumerable.Range(0, 4).Select(i => new ConvGroupNorm(i == 3 ? inChannels[3] : convDim, convDim, 3, groups, relu: true)).ToArray());
        mask_features = nn.Conv2d(convDim, maskDim, 3, padding: 1);
        RegisterComponents();
        nn.init.kaiming_uniform_(mask_features.weight!, a: 1);
        nn.init.zeros_(mask_features.bias!);
    }

    /// <param name="features">res2 (stride 4), res3, res4, res5 (stride 32).</param>
    /// <returns>Mask features [B, maskDim, H/4, W/4].</returns>
    public override Tensor forward(Tensor[] features)
    {
        using var scope = NewDisposeScope();
        var y = output_convs[3].forward(features[3]);
        for (int i = 2; i >= 0; i--)
        {
            var lateral = lateral_convs[i].forward(features[i]);
            var up = nn.functional.interpolate(y, new[] { lateral.shape[2], lateral.shape[3] }, mode: InterpolationMode.Nearest);
            y = output_convs[i].forward(lateral + up);
        }
        return mask_features.forward(y).MoveToOuterDisposeScope();
    }
}
