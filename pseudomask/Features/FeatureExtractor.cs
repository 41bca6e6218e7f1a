using SSeg.Models;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SSeg.Pseudomask;

/// <summary>Per-patch features [B, n, D] for a batch of equal-size normalised images [B, 3, H, W].</summary>
public sealed class FeatureExtractor : IDisposable
{
    private readonly VisionTransformer? _vit;

    public FeatureExtractor(FeatureKind kind, int patchSize, VisionTransformer? vit)
    {
        if (kind != FeatureKind.Rgb && vit is null) throw new ArgumentException($"Feature {kind} needs a ViT.");
        if (vit is not null && vit.Config.PatchSize != patchSize) throw new ArgumentException("Patch size differs from the ViT's.");
        Kind = kind;
        PatchSize = patchSize;
        _vit = vit;
        _vit?.eval();
    }

    public FeatureKind Kind { get; }
    public int PatchSize { get; }
    public VisionTransformer? Model => _vit;

    /// <summary>Features [B, gh*gw, D] in row-major grid order (ViT features L2-normalised).</summary>
    public Tensor Extract(Tensor images)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        Tensor features;
        switch (Kind)
        {
            case FeatureKind.Rgb:
                features = F.avg_pool2d(images, PatchSize, PatchSize).flatten(2).transpose(1, 2).contiguous();
                break;
            case FeatureKind.Tokens:
            {
                var tokens = _vit!.forward(images);
                features = F.normalize(VitFeatures.PatchTokens(tokens), p: 2, dim: -1);
                break;
            }
            case FeatureKind.Keys:
            {
                using var f = _vit!.Extract(images, VitRequest.KeysOnly);
                features = F.normalize(VitFeatures.PatchTokens(f.Keys!), p: 2, dim: -1);
                break;
            }
            default:
                throw new InvalidOperationException($"Unknown feature {Kind}");
        }
        return features.MoveToOuterDisposeScope();
    }

    public void Dispose() => _vit?.Dispose();
}
