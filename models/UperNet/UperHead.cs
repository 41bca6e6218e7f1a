using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SSeg.Models.UperNet;

/// <summary>
/// UPerNet decode head (mmsegmentation UPerHead): pyramid pooling (scales 1,2,3,6) on the coarsest level,
/// FPN laterals and top-down fusion, all levels upsampled to the finest, fused by a 3×3 conv, dropout, 1×1 classifier.
/// Returns logits at the finest input's resolution (stride 4).
/// </summary>
public sealed class UperHead : nn.Module<Tensor[], Tensor>
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> psp_modules;
    private readonly ConvModule bottleneck;
    private readonly ModuleList<ConvModule> lateral_convs;
    private readonly ModuleList<ConvModule> fpn_convs;
    private readonly ConvModule fpn_bottleneck;
    private readonly Dropout2d dropout;
    private readonly Conv2d conv_seg;
    private readonly long[] _poolScales;

    public UperHead(IReadOnlyList<long> inChannels, long channels, long numClasses, IReadOnlyList<long>? poolScales = null,
        double dropoutRatio = 0.1) : base(nameof(UperHead))
    {
        if (inChannels.Count < 2) throw new ArgumentException("UperHead needs at least two input levels.");
        _poolScales = (poolScales ?? new long[] { 1, 2, 3, 6 }).ToArray();
        var top = inChannels[^1];
        psp_modules = new ModuleList<nn.Module<Tensor, Tensor>>(_poolScales
            .Select(s => (nn.Module<Tensor, Tensor>)nn.Sequential(nn.AdaptiveAvgPool2d(s), new ConvModule(top, channels, 1)))
            .ToArray());
        bottleneck = new ConvModule(top + _poolScales.Length * channels, channels, 3, padding: 1);
        lateral_convs = new ModuleList<ConvModule>(inChannels.Take(inChannels.Count - 1).Select(c => new ConvModule(c, channels, 1)).ToArray());
        fpn_convs = new ModuleList<ConvModule>(inChannels.Take(inChannels.Count - 1).Select(_ => new ConvModule(channels, channels, 3, padding: 1)).ToArray());
        fpn_bottleneck = new ConvModule(inChannels.Count * channels, channels, 3, padding: 1);
        dropout = nn.Dropout2d(dropoutRatio);
        conv_seg = nn.Conv2d(channels, numClasses, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor[] inputs)
    {
        using var scope = NewDisposeScope();
        var levels = lateral_convs.Count + 1;
        if (inputs.Length != levels) throw new ArgumentException($"UperHead expects {levels} inputs, got {inputs.Length}.");

        var laterals = new Tensor[levels];
        for (var i = 0; i < levels - 1; i++) laterals[i] = lateral_convs[i].forward(inputs[i]);
        laterals[^1] = PyramidPooling(inputs[^1]);

        for (var i = levels - 1; i > 0; i--)
            laterals[i - 1] = laterals[i - 1] + Resize(laterals[i], laterals[i - 1]);

        var outs = new Tensor[levels];
        for (var i = 0; i < levels - 1; i++) outs[i] = fpn_convs[i].forward(laterals[i]);
        outs[^1] = laterals[^1];
        for (var i = 1; i < levels; i++) outs[i] = Resize(outs[i], outs[0]);

        var fused = fpn_bottleneck.forward(torch.cat(outs, 1));
        return conv_seg.forward(dropout.forward(fused)).MoveToOuterDisposeScope();
    }

    private Tensor PyramidPooling(Tensor x)
    {
        var parts = new List<Tensor> { x };
        foreach (var module in psp_modules) parts.Add(Resize(module.forward(x), x));
        return bottleneck.forward(torch.cat(parts, 1));
    }

    internal static Tensor Resize(Tensor x, Tensor like) =>
        nn.functional.interpolate(x, new[] { like.shape[2], like.shape[3] }, mode: InterpolationMode.Bilinear, align_corners: false);
}
