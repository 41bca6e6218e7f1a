using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Models.Tests;

/// <summary>C# ViT against the independent PyTorch implementation in Fixtures/generate_vit_fixture.py.</summary>
public class VitParityTests : IDisposable
{
    private const double Tolerance = 1e-4;
    private static readonly string Dir = ModelFixtures.Dir;
    private static readonly VitConfig P8 = new("test/8", EmbedDim: 48, Depth: 2, Heads: 3, PatchSize: 8, ImageSize: 32);
    private static readonly VitConfig P16 = new("test/16", EmbedDim: 24, Depth: 2, Heads: 3, PatchSize: 16, ImageSize: 224);

    private readonly StateDict _reference = CheckpointLoader.Read(Path.Combine(Dir, "vit_reference.safetensors"));

    public void Dispose() => _reference.Dispose();

    [Theory]
    [InlineData("vit_p8.pth")]
    [InlineData("vit_p8.safetensors")]
    public void TinyPatch8MatchesPyTorchOnSquareInput(string weights)
    {
        using var vit = LoadedModel(P8, weights);
        using var _ = no_grad();
        using var features = vit.Extract(_reference["p8.a.input"],
            new VitRequest(FinalTokens: true, BlockOutputs: [0], LastQkv: true, LastAttention: true));

        AssertClose("tokens", _reference["p8.a.tokens"], features.Tokens!);
        AssertClose("block0", _reference["p8.a.block0"], features.BlockOutputs[0]);
        AssertClose("q", _reference["p8.a.q"], features.Queries!);
        AssertClose("k", _reference["p8.a.k"], features.Keys!);
        AssertClose("v", _reference["p8.a.v"], features.Values!);
        AssertClose("attn", _reference["p8.a.attn"], features.Attention!);
        using var plain = vit.forward(_reference["p8.a.input"]);
        AssertClose("forward", _reference["p8.a.tokens"], plain);
    }

    [Fact]
    public void NonSquareInputInterpolatesPositionEmbeddingLikeDino()
    {
        using var vit = LoadedModel(P8, "vit_p8.pth");
        using var _ = no_grad();
        var input = _reference["p8.b.input"]; // 40x24 -> 5x3 grid from a 4x4 trained grid
        using var tokens = vit.Extract(input, VitRequest.Tokens);
        AssertClose("tokens", _reference["p8.b.tokens"], tokens.Tokens!);
        using var keys = vit.Extract(input, VitRequest.KeysOnly);
        Assert.Null(keys.Tokens);
        AssertClose("keys", _reference["p8.b.k"], keys.Keys!);
        Assert.Equal(5, keys.GridHeight);
        Assert.Equal(3, keys.GridWidth);
    }

    [Fact]
    public void Patch16At224AndCroppedNonSquareMatchPyTorch()
    {
        using var vit = LoadedModel(P16, "vit_p16.safetensors");
        using var _ = no_grad();
        using var image = _reference["p16.image_u8"].to_type(ScalarType.Float32).div(255.0).sub(0.45).div(0.25);
        using var full = vit.forward(image);
        AssertClose("224", _reference["p16.full.tokens"], full);
        using var crop = image.narrow(2, 0, 160);
        using var cropped = vit.forward(crop);
        AssertClose("160x224", _reference["p16.crop.tokens"], cropped);
    }

    private static VisionTransformer LoadedModel(VitConfig config, string file)
    {
        var vit = new VisionTransformer(config);
        vit.eval();
        var report = CheckpointLoader.Load(vit, Path.Combine(Dir, file));
        Assert.True(report.IsExact, report.Describe());
        Assert.Equal(vit.state_dict().Count, report.Loaded);
        return vit;
    }

    internal static double AssertClose(string what, Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var diff = (expected - actual).abs().max();
        var maxAbs = diff.item<float>();
        Console.WriteLine($"parity {what}: max abs diff {maxAbs:E2}");
        Assert.True(maxAbs < Tolerance, $"{what}: max abs diff {maxAbs} exceeds {Tolerance}");
        return maxAbs;
    }
}
