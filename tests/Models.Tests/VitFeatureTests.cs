using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Models.Tests;

public class VitFeatureTests
{
    [Fact]
    public void BlockTapsFeatureMapsAndFinalNormAreConsistent()
    {
        manual_seed(11);
        using var vit = new VisionTransformer(new VitConfig("t", EmbedDim: 24, Depth: 4, Heads: 2, PatchSize: 8, ImageSize: 32));
        vit.eval();
        using var _ = no_grad();
        using var x = randn(2, 3, 48, 32);
        using var f = vit.Extract(x, new VitRequest(BlockOutputs: [1, 3], LastQkv: true, LastAttention: true));

        Assert.Equal(new[] { 1, 3 }, f.BlockOutputs.Keys.OrderBy(k => k));
        using var normed = vit.norm.forward(f.BlockOutputs[3]);
        using var diff = (normed - f.Tokens!).abs().max();
        Assert.True(diff.item<float>() < 1e-6f);

        using var map = f.ToFeatureMap(f.BlockOutputs[1]);
        Assert.Equal(new long[] { 2, 24, 6, 4 }, map.shape);
        // Grid position (row 2, col 3) is patch token 1 + 2*4 + 3.
        using var a = map[1, .., 2, 3];
        using var b = f.BlockOutputs[1][1, 1 + 2 * 4 + 3];
        Assert.Equal(b.data<float>().ToArray(), a.data<float>().ToArray());

        Assert.Equal(new long[] { 2, 2, 25, 25 }, f.Attention!.shape);
        using var rowSums = f.Attention.sum(-1);
        using var err = (rowSums - 1).abs().max();
        Assert.True(err.item<float>() < 1e-5f);
    }

    [Fact]
    public void GradientsFlowThroughInterpolatedPositionEmbedding()
    {
        manual_seed(12);
        using var vit = new VisionTransformer(new VitConfig("t", EmbedDim: 16, Depth: 1, Heads: 2, PatchSize: 8, ImageSize: 32, DropPath: 0.1));
        vit.train();
        using var x = randn(1, 3, 40, 24);
        using var y = vit.forward(x);
        using var loss = y.pow(2).mean();
        loss.backward();
        Assert.NotNull(vit.pos_embed.grad);
        using var g = vit.pos_embed.grad!.abs().sum();
        Assert.True(g.item<float>() > 0);
    }

    [Fact]
    public void InputNotAMultipleOfThePatchIsRejectedClearly()
    {
        using var vit = new VisionTransformer(new VitConfig("t", EmbedDim: 16, Depth: 1, Heads: 2, PatchSize: 8, ImageSize: 32));
        using var x = zeros(1, 3, 30, 32);
        var error = Assert.Throws<ArgumentException>(() => vit.forward(x));
        Assert.Contains("multiple of the patch size 8", error.Message);
    }
}

public class VitInitTests
{
    [Fact]
    public void FreshWeightsFollowDinoInit()
    {
        manual_seed(13);
        using var vit = new VisionTransformer(VitConfig.Small(16));
        foreach (var t in new[] { vit.pos_embed, vit.blocks[0].attn.qkv.weight!, vit.blocks[11].mlp.fc2.weight! })
        {
            using var nan = t.isnan().any();
            Assert.False(nan.item<bool>());
            using var std = t.std();
            Assert.InRange(std.item<float>(), 0.018f, 0.022f);
        }
        using var bias = vit.blocks[3].attn.qkv.bias!.abs().max();
        Assert.Equal(0f, bias.item<float>());
        using var ln = vit.norm.weight!.sub(1).abs().max();
        Assert.Equal(0f, ln.item<float>());
    }
}
