using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SSeg.Models;

/// <summary>Conv2d(C -&gt; D, kernel = stride = patch); output tokens [B, (H/P)(W/P), D] in row-major grid order.</summary>
public sealed class PatchEmbed : nn.Module<Tensor, Tensor>
{
    public readonly Conv2d proj;

    public PatchEmbed(int inChannels, int embedDim, int patch) : base("patch_embed")
    {
        proj = nn.Conv2d(inChannels, embedDim, kernel_size: patch, stride: patch);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return proj.forward(x).flatten(2).transpose(1, 2).MoveToOuterDisposeScope();
    }
}
