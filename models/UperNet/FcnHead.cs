using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SSeg.Models.UperNet;

/// <summary>Auxiliary FCN head (mmsegmentation FCNHead, num_convs 1, no input concat): 3×3 ConvModule → dropout → 1×1 classifier.</summary>
public sealed class FcnHead : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<ConvModule> convs;
    private readonly Dropout2d dropout;
    private readonly Conv2d conv_seg;

    public FcnHead(long inChannels, long channels, long numClasses, int numConvs = 1, double dropoutRatio = 0.1) : base(nameof(FcnHead))
    {
        convs = new ModuleList<ConvModule>(Enumerable.Range(0, numConvs)
            .Select(i => new ConvModule(i == 0 ? inChannels : channels, channels, 3, padding: 1)).ToArray());
        dropout = nn.Dropout2d(dropoutRatio);
        conv_seg = nn.Conv2d(channels, numClasses, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input;
        foreach (var conv in convs) x = conv.forward(x);
        return conv_seg.forward(dropout.forward(x)).MoveToOuterDisposeScope();
    }
}
