using SSeg.Models.UperNet;
using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Selftrain.Tests;

public class PyramidShapesTests
{
    [Fact]
    public void Feature2PyramidAt512CropGivesStrides4To32WithViTBWidth()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var neck = new Feature2Pyramid(768);
        neck.eval();
        var taps = Enumerable.Range(0, 4).Select(_ => randn(1, 768, 32, 32)).ToArray(); // 512 / 16 = 32
        var levels = neck.forward(taps);
        Assert.Equal(new long[] { 1, 768, 128, 128 }, levels[0].shape);
        Assert.Equal(new long[] { 1, 768, 64, 64 }, levels[1].shape);
        Assert.Equal(new long[] { 1, 768, 32, 32 }, levels[2].shape);
        Assert.Equal(new long[] { 1, 768, 16, 16 }, levels[3].shape);
        Assert.True(levels[2].eq(taps[2]).all().item<bool>(), "level 2 must be the identity");
        Assert.True(levels[3].eq(nn.functional.max_pool2d(taps[3], 2, 2)).all().item<bool>());
    }

    [Fact]
    public void NeckParameterNamesFollowMmsegmentation()
    {
        using var neck = new Feature2Pyramid(8);
        var names = neck.named_parameters().Select(p => p.name).ToHashSet();
        Assert.Contains("upsample_4x.0.weight", names);
        Assert.Contains("upsample_4x.1.weight", names);
        Assert.Contains("upsample_4x.3.bias", names);
        Assert.Contains("upsample_2x.0.weight", names);
        Assert.Equal(8, names.Count); // two ConvT + BN in upsample_4x, one ConvT in upsample_2x
    }

    [Fact]
    public void UperHeadAndFcnHeadAt512CropGiveStride4AndStride16Logits()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        const int classes = 21;
        var head = new UperHead(new long[] { 64, 64, 64, 64 }, channels: 32, numClasses: classes);
        var aux = new FcnHead(64, 16, classes);
        head.eval(); aux.eval();
        var levels = new[] { randn(2, 64, 128, 128), randn(2, 64, 64, 64), randn(2, 64, 32, 32), randn(2, 64, 16, 16) };
        Assert.Equal(new long[] { 2, classes, 128, 128 }, head.forward(levels).shape);
        Assert.Equal(new long[] { 2, classes, 32, 32 }, aux.forward(levels[2]).shape);

        var names = head.named_parameters().Select(p => p.name).ToHashSet();
        foreach (var expected in new[] { "psp_modules.3.1.conv.weight", "bottleneck.conv.weight", "lateral_convs.2.bn.weight",
                     "fpn_convs.0.conv.weight", "fpn_bottleneck.bn.bias", "conv_seg.weight", "conv_seg.bias" })
            Assert.Contains(expected, names);
        // PPM: 4 scales of 1×1 from the top level, bottleneck over top + 4·channels.
        Assert.Equal(new long[] { 32, 64 + 4 * 32, 3, 3 }, head.get_parameter("bottleneck.conv.weight")!.shape);
        Assert.Equal(new long[] { 32, 4 * 32, 3, 3 }, head.get_parameter("fpn_bottleneck.conv.weight")!.shape);
    }
}
