using SSeg.Models.MaskFormer;
using SSeg.Models.Text;
using SSeg.Train.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Train.Tests.Model;

public class ModelShapeTests
{
    [Fact]
    public void Tiny_sseg_model_produces_documented_shapes_and_gradients()
    {
        manual_seed(1);
        var cfg = SSegModelConfig.Tiny with { VocabSize = 600 };
        using var model = new SSegModel(cfg);
        model.train();
        var images = randn(3, 3, cfg.CropSize, cfg.CropSize);
        using var output = model.EncodeImages(images);
        Assert.Equal(new long[] { cfg.DecoderLayers, 3, cfg.Queries, cfg.MaskResolution, cfg.MaskResolution }, output.PredMasks.shape);
        Assert.Equal(new long[] { 3, cfg.Queries, cfg.HiddenDim }, output.QueryFeatures.shape);
        var img = model.ImageEmbedding(model.EmbeddingFeatures(output));
        Assert.Equal(new long[] { 3, cfg.EmbedDim }, img.shape);
        Assert.Equal(new long[] { 3, cfg.Queries, cfg.EmbedDim }, model.QueryEmbeddings(model.EmbeddingFeatures(output)).shape);

        var tokens = zeros(new long[] { 4, cfg.ContextLength }, dtype: int64);
        tokens[.., 0] = 598; tokens[0, 1] = 5; tokens[0, 2] = 599; tokens[1, 1] = 599; tokens[2, 1] = 7; tokens[2, 2] = 9; tokens[2, 3] = 599; tokens[3, 1] = 599;
        var txt = model.EncodeText(tokens);
        Assert.Equal(new long[] { 4, cfg.EmbedDim }, txt.shape);

        var loss = output.PredMasks.sigmoid().mean() + img.pow(2).mean() + txt.pow(2).mean() + model.Scale() + model.MultiLabelScale();
        loss.backward();
        foreach (var (name, p) in model.named_parameters())
            Assert.True(p.grad is not null, $"{name} received no gradient");
        Assert.Equal(1 / 0.07, model.Scale().ToDouble(), 3);
    }

    [Fact]
    public void Text_encoder_is_causal_and_pools_at_eot()
    {
        manual_seed(2);
        using var enc = new TextTransformer(new TextTransformerConfig(VocabSize: 50, ContextLength: 8, Width: 32, Layers: 2, Heads: 2));
        enc.eval();
        var a = tensor(new long[] { 48, 3, 4, 49, 0, 0, 0, 0 }).reshape(1, 8);
        var b = tensor(new long[] { 48, 3, 4, 49, 7, 7, 7, 7 }).reshape(1, 8); // differs only after EOT
        var c = tensor(new long[] { 48, 3, 5, 49, 0, 0, 0, 0 }).reshape(1, 8); // differs before EOT
        var ea = enc.forward(a);
        Assert.True(ea.allclose(enc.forward(b), 1e-5, 1e-6));
        Assert.False(ea.allclose(enc.forward(c), 1e-5, 1e-6));
    }

    [Fact]
    public void Sine_position_encoding_matches_detr_values()
    {
        var pos = PositionEmbeddingSine.Compute(1, 2, 3, 4, CPU);
        Assert.Equal(new long[] { 1, 8, 2, 3 }, pos.shape);
        // y channels at (row 0): y_embed = 1/2·2π = π; dim_t = [1, 1, 100, 100]
        double y = Math.PI / (1 + 1e-6 / 2);
        Assert.Equal(Math.Sin(y), pos[0, 0, 0, 0].ToDouble(), 5);
        Assert.Equal(Math.Cos(y), pos[0, 1, 0, 0].ToDouble(), 5);
        Assert.Equal(Math.Sin(y / 100), pos[0, 2, 0, 0].ToDouble(), 5);
        // x channels at column 2: x_embed = 2π
        double x = 2 * Math.PI * 3 / (3 + 1e-6);
        Assert.Equal(Math.Sin(x), pos[0, 4, 0, 2].ToDouble(), 5);
        Assert.Equal(Math.Cos(x / 100), pos[0, 7, 1, 2].ToDouble(), 5);
    }
}
