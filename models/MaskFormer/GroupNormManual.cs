using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SSeg.Models.MaskFormer;

/// <summary>
/// GroupNorm written with tensor ops (mean/var over each group of channels and all pixels, then a per-channel
/// affine). TorchSharp 0.107's native group_norm returned uninitialised values on this CPU build (seen as
/// 1e-24..1e34 outputs and NaNs), so the pixel decoder uses this instead. Parameter names: weight, bias.
/// </summary>
public sealed class GroupNormManual : nn.Module<Tensor, Tensor>
{
    public readonly Parameter weight;
    public readonly Parameter bias;
    private readonly int _groups;
    private readonly double _eps;

    public GroupNormManual(int groups, long channels, double eps = 1e-5) : base("group_norm")
    {
        if (channels % groups != 0) throw new ArgumentException($"{channels} channels are not divisible into {groups} groups");
        _groups = groups;
        _eps = eps;
        weight = nn.Parameter(ones(channels));
        bias = nn.Parameter(zeros(channels));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var shape = x.shape;
        var g = x.reshape(shape[0], _groups, -1);
        var mean = g.mean([2], keepdim: true);
        var variance = (g - mean).pow(2).mean([2], keepdim: true);
        var normalised = ((g - mean) / (variance + _eps).sqrt()).reshape(shape);
        var affine = new long[shape.Length];
        Array.Fill(affine, 1L);
        affine[1] = shape[1];
        return (normalised * weight.reshape(affine) + bias.reshape(affine)).MoveToOuterDisposeScope();
    }
}
