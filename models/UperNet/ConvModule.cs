using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Models.UperNet;

/// <summary>mmcv's ConvModule with BN and ReLU: conv (no bias, since BN follows) → BatchNorm → ReLU. Names: conv, bn.</summary>
public sealed class ConvModule : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Conv2d conv;
    private readonly TorchSharp.Modules.BatchNorm2d bn;

    public ConvModule(long inChannels, long outChannels, long kernelSize, long padding = 0) : base(nameof(ConvModule))
    {
        conv = nn.Conv2d(inChannels, outChannels, kernelSize, padding: padding, bias: false);
        bn = nn.BatchNorm2d(outChannels);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var c = conv.forward(input);
        using var b = bn.forward(c);
        return nn.functional.relu(b);
    }
}
