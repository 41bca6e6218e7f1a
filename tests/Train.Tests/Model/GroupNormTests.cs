using SSeg.Models.MaskFormer;
using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Train.Tests.Model;

public class GroupNormTests
{
    [Fact]
    public void Manual_group_norm_normalises_each_group_including_channels_last_inputs()
    {
        manual_seed(3);
        var gn = new GroupNormManual(4, 8);
        // a channels-last tensor, as ConvTranspose2d produces on CPU
        var x = (randn(2, 8, 5, 6) * 3 + 1).permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        var y = gn.forward(x);
        var g = y.reshape(2, 4, -1);
        Assert.True(g.mean([2]).abs().max().ToDouble() < 1e-5);
        Assert.True((g.var(2, unbiased: false) - 1).abs().max().ToDouble() < 1e-3);
        // same values as the contiguous layout
        Assert.True(y.allclose(gn.forward(x.contiguous()), 1e-6, 1e-6));
    }
}

public class MaskFormerInitTests
{
    [Fact]
    public void Default_vit_s16_maskformer_has_finite_well_scaled_weights_and_outputs()
    {
        manual_seed(0);
        using var model = new SSeg.Train.Model.SSegModel(SSeg.Train.Model.SSegModelConfig.VitS16 with { VocabSize = 600 });
        foreach (var (name, p) in model.named_parameters())
            Assert.True(p.isfinite().all().ToBoolean(), $"{name} has non-finite values");
        var qkv = model.image_encoder.backbone.blocks[5].attn.qkv.weight!;
        Assert.InRange(qkv.std().ToDouble(), 0.018, 0.022);
        model.eval();
        using var noGrad = no_grad();
        using var o = model.EncodeImages(randn(1, 3, 224, 224));
        Assert.True(o.PredMasks.isfinite().all().ToBoolean());
        Assert.Equal(new long[] { 6, 1, 64, 56, 56 }, o.PredMasks.shape);
    }
}
