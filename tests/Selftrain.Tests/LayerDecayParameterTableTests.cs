using SSeg.Selftrain.Optim;

namespace SSeg.Selftrain.Tests;

public class LayerDecayParameterTableTests
{
    private static readonly LayerDecayOptions ViTB = new();

    // Hand-computed: scale = 0.7^(13 - layer id); lr = 1e-4 * scale.
    [Theory]
    [InlineData("backbone.cls_token", new long[] { 1, 1, 768 }, 0, 0.0096889010407, 0.0)]
    [InlineData("backbone.pos_embed", new long[] { 1, 197, 768 }, 0, 0.0096889010407, 0.0)]
    [InlineData("backbone.patch_embed.proj.weight", new long[] { 768, 3, 16, 16 }, 0, 0.0096889010407, 0.05)]
    [InlineData("backbone.patch_embed.proj.bias", new long[] { 768 }, 0, 0.0096889010407, 0.0)]
    [InlineData("backbone.blocks.0.attn.qkv.weight", new long[] { 2304, 768 }, 1, 0.0138412872010, 0.05)]
    [InlineData("backbone.blocks.5.norm1.weight", new long[] { 768 }, 6, 0.0823543, 0.0)]
    [InlineData("backbone.blocks.10.mlp.fc1.weight", new long[] { 3072, 768 }, 11, 0.49, 0.05)]
    [InlineData("backbone.blocks.11.mlp.fc2.bias", new long[] { 768 }, 12, 0.7, 0.0)]
    [InlineData("backbone.blocks.11.attn.proj.weight", new long[] { 768, 768 }, 12, 0.7, 0.05)]
    [InlineData("backbone.norm.weight", new long[] { 768 }, 13, 1.0, 0.0)]
    [InlineData("neck.upsample_4x.0.weight", new long[] { 768, 768, 2, 2 }, 13, 1.0, 0.05)]
    [InlineData("neck.upsample_4x.1.running_mean", new long[] { 768 }, 13, 1.0, 0.0)]
    [InlineData("decode_head.conv_seg.weight", new long[] { 21, 768, 1, 1 }, 13, 1.0, 0.05)]
    [InlineData("decode_head.conv_seg.bias", new long[] { 21 }, 13, 1.0, 0.0)]
    [InlineData("auxiliary_head.convs.0.conv.weight", new long[] { 256, 768, 3, 3 }, 13, 1.0, 0.05)]
    public void EntryMatchesHandComputedValues(string name, long[] shape, int layerId, double scale, double weightDecay)
    {
        var entry = LayerDecayParameterTable.Entry(name, shape, ViTB);
        Assert.Equal(layerId, entry.LayerId);
        Assert.Equal(scale, entry.LearningRateScale, 1e-10);
        Assert.Equal(1e-4 * scale, entry.LearningRate, 1e-15);
        Assert.Equal(weightDecay, entry.WeightDecay);
    }

    [Fact]
    public void FullViTBTableHasFourteenLayerIdsAndMonotoneScales()
    {
        var names = new List<(string, long[])> { ("backbone.cls_token", new long[] { 1, 1, 768 }), ("backbone.pos_embed", new long[] { 1, 197, 768 }) };
        for (var i = 0; i < 12; i++)
        {
            names.Add(($"backbone.blocks.{i}.attn.qkv.weight", new long[] { 2304, 768 }));
            names.Add(($"backbone.blocks.{i}.attn.qkv.bias", new long[] { 2304 }));
        }
        names.Add(("decode_head.conv_seg.weight", new long[] { 21, 768, 1, 1 }));
        var table = LayerDecayParameterTable.Build(names, ViTB);
        var scaleById = table.GroupBy(e => e.LayerId).ToDictionary(g => g.Key, g => g.Select(e => e.LearningRateScale).Distinct().Single());
        Assert.Equal(Enumerable.Range(0, 14), scaleById.Keys.Order());
        for (var id = 1; id < 14; id++) Assert.Equal(scaleById[id - 1] / 0.7, scaleById[id], 1e-12);
        Assert.Equal(1.0, scaleById[13]);
    }

    [Fact]
    public void BlockIndexBeyondDepthIsRejectedWithTheParameterName()
    {
        var error = Assert.Throws<ArgumentException>(() => LayerDecayParameterTable.Entry("backbone.blocks.12.norm1.weight", new long[] { 768 }, ViTB));
        Assert.Contains("backbone.blocks.12.norm1.weight", error.Message);
    }
}
