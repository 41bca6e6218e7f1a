using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Models.Tests;

public class TransformerBlockTests
{
    [Fact]
    public void CausalMaskMakesEarlierOutputsIndependentOfLaterTokens()
    {
        manual_seed(3);
        using var block = new TransformerBlock(new TransformerBlockOptions(16, 4, LayerNormEps: 1e-5, Activation: Activation.QuickGelu));
        block.eval();
        using var _ = no_grad();
        using var x = randn(2, 6, 16);
        using var mask = AttentionMasks.Causal(6);
        using var y1 = block.Forward(x, mask);
        using var x2 = x.clone();
        x2[.., 4..].add_(5.0);
        using var y2 = block.Forward(x2, mask);
        using var prefixDiff = (y1[.., ..4] - y2[.., ..4]).abs().max();
        using var suffixDiff = (y1[.., 4..] - y2[.., 4..]).abs().max();
        Assert.True(prefixDiff.item<float>() < 1e-5f);
        Assert.True(suffixDiff.item<float>() > 1e-2f);

        // Explicit-softmax path (used when probabilities are requested) agrees with the fused kernel.
        var (y3, details) = block.ForwardDetailed(x, mask, withProbabilities: true);
        using (y3)
        {
            using var d = (y3 - y1).abs().max();
            Assert.True(d.item<float>() < 1e-5f);
            using var upper = details.Probabilities![.., .., 0, 1..].abs().max();
            Assert.Equal(0f, upper.item<float>());
        }
    }

    [Fact]
    public void BoolPaddingMaskBlocksPaddedKeys()
    {
        manual_seed(4);
        using var block = new TransformerBlock(new TransformerBlockOptions(8, 2));
        block.eval();
        using var _ = no_grad();
        using var x = randn(1, 5, 8);
        using var valid = tensor(new[] { true, true, true, false, false }).reshape(1, 5);
        using var mask = AttentionMasks.FromPadding(valid);
        using var y1 = block.Forward(x, mask);
        using var x2 = x.clone();
        x2[.., 3..].mul_(-7.0);
        using var y2 = block.Forward(x2, mask);
        using var diff = (y1[.., ..3] - y2[.., ..3]).abs().max();
        Assert.True(diff.item<float>() < 1e-5f);
    }

    [Fact]
    public void DropPathActsOnlyInTraining()
    {
        manual_seed(5);
        using var block = new TransformerBlock(new TransformerBlockOptions(8, 2, DropPath: 0.5));
        using var x = randn(64, 3, 8);
        block.eval();
        using var a = block.forward(x);
        using var b = block.forward(x);
        using var same = (a - b).abs().max();
        Assert.Equal(0f, same.item<float>());
        block.train();
        using var c = block.forward(x);
        using var d = block.forward(x);
        using var differ = (c - d).abs().max();
        Assert.True(differ.item<float>() > 1e-3f);
    }

    [Fact]
    public void ConfigsAndDinoCheckpointNames()
    {
        Assert.Equal("dino_deitsmall8_pretrain.pth", DinoCheckpoints.FileName(VitConfig.FromName("vit_small", 8)));
        Assert.Equal("https://dl.fbaipublicfiles.com/dino/dino_vitbase16_pretrain/dino_vitbase16_pretrain.pth",
            DinoCheckpoints.Url(VitConfig.FromName("vit_base", 16)));
        Assert.Equal(785, VitConfig.Small(8).NumPatches + 1);
        Assert.Throws<ArgumentException>(() => VitConfig.FromName("resnet50", 16));
        Assert.Equal(cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU, DeviceSelector.Select("auto").type);
        if (!cuda.is_available())
            Assert.Contains("CUDA is not available", Assert.Throws<InvalidOperationException>(() => DeviceSelector.Select("cuda")).Message);
        Assert.Equal(DeviceType.CPU, DeviceSelector.Select("cpu").type);
    }
}
