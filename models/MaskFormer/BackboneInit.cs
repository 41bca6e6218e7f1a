using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SSeg.Models.MaskFormer;

/// <summary>
/// Re-applies DINO's random init (truncated normal std 0.02 within ±2 for Linear weights, pos_embed, cls_token;
/// zero biases; unit LayerNorms) to a freshly built ViT. TorchSharp 0.107's <c>nn.init.trunc_normal_</c> fills
/// tensors with a constant/garbage on this CPU build (std 0, occasional NaN), so this uses normal_ + clamp_.
/// </summary>
public static class BackboneInit
{
    public static void TruncNormal(Tensor t, double std, double bound = 2.0)
    {
        using var noGrad = no_grad();
        nn.init.normal_(t, 0.0, std);
        t.clamp_(-bound, bound);
    }

    public static void Dino(VisionTransformer vit)
    {
        using var noGrad = no_grad();
        TruncNormal(vit.pos_embed, 0.02);
        TruncNormal(vit.cls_token, 0.02);
        foreach (var (_, module) in vit.named_modules())
        {
            if (module is Linear linear)
            {
                TruncNormal(linear.weight!, 0.02);
                if (linear.bias is not null) nn.init.zeros_(linear.bias);
            }
            else if (module is LayerNorm ln)
            {
                nn.init.ones_(ln.weight!);
                nn.init.zeros_(ln.bias!);
            }
        }
    }
}
