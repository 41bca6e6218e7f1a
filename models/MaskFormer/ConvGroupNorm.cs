using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SSeg.Models.MaskFormer;

/// <summary>Conv2d (no bias) → GroupNorm → optional ReLU (detectron2's Conv2d with norm="GN").</summary>
public sealed class ConvGroupNorm : nn.Module<Tensor, Tensor>
{
    public readonly Conv2d conv;
    public readonly GroupNormManual norm;
    private readonly bool _relu;

    public ConvGroupNorm(long inChannels, long outChannels, long kernel, int groups, bool relu) : base("conv_gn")
    {
        conv = nn.Conv2d(inChannels, outChannels, kernel, padding: kernel / 2, bias: false);
        norm = new GroupNormManual(groups, outChannels);
        _relu = relu;
        RegisterComponents();
        nn.init.kaiming_uniform_(conv.weight!, a: 1); // c2_xavier_fill
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = norm.forward(conv.forward(x));
        if (_relu) y = nn.functional.relu(y);
        return y.MoveToOuterDisposeScope();
    }
}
