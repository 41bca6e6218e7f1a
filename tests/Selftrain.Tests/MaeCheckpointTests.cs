using SSeg.Models;
using SSeg.Selftrain.Model;
using SSeg.Tests.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Selftrain.Tests;

/// <summary>Golden values from Fixtures/generate_mae_fixture.py (PyTorch 1.13 reference ViT).</summary>
public class MaeCheckpointTests
{
    private static string Fixture(string name) => Path.Combine(RepoPaths.Fixtures("Selftrain.Tests"), name);

    [Fact]
    public void LoadsMaeWeightsUnderModelKeyAndResizesPositionEmbeddingToCropGrid()
    {
        using var scope = NewDisposeScope();
        using var model = new SSegPlusModel(TinyConfigs.MaeTiny(crop: 64));
        var report = MaeCheckpoint.LoadInto(model.backbone, Fixture("mae_tiny.pth"));
        using var golden = CheckpointLoader.Read(Fixture("mae_tiny_golden.pth"));

        Assert.Equal(12 * 12 + 6, report.Loaded); // 12 tensors per block + cls, pos, patch w/b, norm w/b
        Assert.Contains("mask_token", report.Ignored);
        Assert.Contains("decoder_embed.weight", report.Ignored);
        Assert.Equal(new long[] { 1, 17, 16 }, model.backbone.pos_embed.shape); // 1 + 4x4 for a 64 crop, from a 3x3 checkpoint
        AssertClose(golden["pos_embed_64"], model.backbone.pos_embed, 1e-6);
    }

    [Fact]
    public void TapsAfterBlocks4_6_8_12MatchTheReferenceViT()
    {
        using var scope = NewDisposeScope();
        using var model = new SSegPlusModel(TinyConfigs.MaeTiny(crop: 64));
        MaeCheckpoint.LoadInto(model.backbone, Fixture("mae_tiny.pth"));
        model.eval();
        using var golden = CheckpointLoader.Read(Fixture("mae_tiny_golden.pth"));
        using var _ = no_grad();
        var taps = model.Taps(golden["input"]);
        Assert.Equal(4, taps.Length);
        AssertClose(golden["tap3"], taps[0], 1e-4);
        AssertClose(golden["tap5"], taps[1], 1e-4);
        AssertClose(golden["tap7"], taps[2], 1e-4);
        AssertClose(golden["tap11"], taps[3], 1e-4);
    }

    [Fact]
    public void WrongWidthIsRejectedNamingTheMisShapedKeys()
    {
        using var model = new SSegPlusModel(TinyConfigs.MaeTiny() with { EmbedDim = 32, HeadChannels = 8 });
        var error = Assert.Throws<CheckpointMismatchException>(() => MaeCheckpoint.LoadInto(model.backbone, Fixture("mae_tiny.pth")));
        Assert.Contains("blocks.0.attn.qkv.weight", error.Message);
    }

    [Fact]
    public void ShallowerBackboneIsRejectedNamingTheUnexpectedBlocks()
    {
        using var model = new SSegPlusModel(TinyConfigs.MaeTiny() with { Depth = 8, TapBlocks = [1, 3, 5, 7] });
        var error = Assert.Throws<CheckpointMismatchException>(() => MaeCheckpoint.LoadInto(model.backbone, Fixture("mae_tiny.pth")));
        Assert.Contains("blocks.11.mlp.fc2.bias", error.Message);
    }

    private static void AssertClose(Tensor expected, Tensor actual, double tolerance)
    {
        Assert.Equal(expected.shape, actual.shape);
        var diff = (expected - actual).abs().max().item<float>();
        Assert.True(diff <= tolerance, $"max |diff| {diff} > {tolerance}");
    }
}
