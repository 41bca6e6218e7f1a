using SSeg.Models;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SSeg.Pseudomask;

/// <summary>Per-patch features [B, n, D] for a batch of equal-size normalised images [B, 3, H, W].</summary>
public sealed class FeatureExtractor : IDisposable
{
    private readonly VisionTransformer? _vit;

    /// <param name="precision">dtype of the ViT forward pass (the ViT is cast to it here); ignored for rgb.</param>
    public FeatureExtractor(FeatureKind kind, int patchSize, VisionTransformer? vit, InferencePrecision precision = InferencePrecision.Fp32)
    {
        if (kind != FeatureKind.Rgb && vit is null) throw new ArgumentException($"Feature {kind} needs a ViT.");
        if (vit is not null && vit.Config.PatchSize != patchSize) throw new ArgumentException("Patch size differs from the ViT's.");
        Kind = kind;
        PatchSize = patchSize;
        _vit = vit;
        Precision = vit is null ? InferencePrecision.Fp32 : precision;
        _vit?.eval();
        if (Precision != InferencePrecision.Fp32) _vit?.to(InferencePrecisions.DType(Precision));
    }

    /// <summary>The dtype the network runs in (fp32 for rgb features, which have no network).</summary>
    public InferencePrecision Precision { get; }

    public FeatureKind Kind { get; }
    public int PatchSize { get; }
    public VisionTransformer? Model => _vit;

    /// <summary>Features [B, gh*gw, D], float32, in row-major grid order (ViT features L2-normalised in float32).</summary>
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
                var tokens = _vit!.forward(ToNetworkDType(images));
                features = F.normalize(VitFeatures.PatchTokens(tokens).to(ScalarType.Float32), p: 2, dim: -1);
                break;
            }
            case FeatureKind.Keys:
            {
                using var f = _vit!.Extract(ToNetworkDType(images), VitRequest.KeysOnly);
                features = F.normalize(VitFeatures.PatchTokens(f.Keys!).to(ScalarType.Float32), p: 2, dim: -1);
                break;
            }
            default:
                throw new InvalidOperationException($"Unknown feature {Kind}");
        }
        return features.MoveToOuterDisposeScope();
    }

    private Tensor ToNetworkDType(Tensor images) =>
        Precision == InferencePrecision.Fp32 ? images : images.to(InferencePrecisions.DType(Precision));

    public void Dispose() => _vit?.Dispose();
}
