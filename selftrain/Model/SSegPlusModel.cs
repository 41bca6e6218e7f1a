using SSeg.Models;
using SSeg.Models.UperNet;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SSeg.Selftrain.Model;

/// <summary>Logits of one forward pass: main head at stride 4, auxiliary head at stride 16 (null in eval mode).</summary>
public sealed record SegmentationLogits(Tensor Main, Tensor? Auxiliary) : IDisposable
{
    public void Dispose()
    {
        Main.Dispose();
        Auxiliary?.Dispose();
    }
}

/// <summary>
/// S-Seg+ (docs/method.md §8.2): MAE ViT backbone → taps after blocks 3,5,7,11 → Feature2Pyramid → UperHead
/// (+ auxiliary FCN head while training). Parameter names: backbone.*, neck.*, decode_head.*, auxiliary_head.*.
/// </summary>
public sealed class SSegPlusModel : nn.Module<Tensor, SegmentationLogits>
{
    public readonly VisionTransformer backbone;
    public readonly Feature2Pyramid neck;
    public readonly UperHead decode_head;
    public readonly FcnHead auxiliary_head;

    public SSegPlusConfig Config { get; }

    public SSegPlusModel(SSegPlusConfig config) : base("sseg_plus")
    {
        config.Validate();
        Config = config;
        backbone = new VisionTransformer(config.BackboneConfig());
        neck = new Feature2Pyramid(config.EmbedDim);
        decode_head = new UperHead(Enumerable.Repeat((long)config.EmbedDim, 4).ToArray(), config.HeadChannels, config.NumClasses,
            config.PoolScales.Select(s => (long)s).ToArray(), config.DropoutRatio);
        auxiliary_head = new FcnHead(config.EmbedDim, config.AuxChannels, config.NumClasses, dropoutRatio: config.DropoutRatio);
        RegisterComponents();
    }

    /// <summary>The four tapped block outputs as maps [B, D, H/16, W/16].</summary>
    public Tensor[] Taps(Tensor images)
    {
        using var scope = NewDisposeScope();
        using var features = backbone.Extract(images, new VitRequest(FinalTokens: false, BlockOutputs: Config.TapBlocks));
        var maps = Config.TapBlocks.Select(b => features.ToFeatureMap(features.BlockOutputs[b]).contiguous()).ToArray();
        foreach (var m in maps) m.MoveToOuterDisposeScope();
        return maps;
    }

    public override SegmentationLogits forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        var levels = neck.forward(Taps(images));
        var main = decode_head.forward(levels).MoveToOuterDisposeScope();
        var aux = training ? auxiliary_head.forward(levels[Config.AuxLevel]).MoveToOuterDisposeScope() : null;
        return new SegmentationLogits(main, aux);
    }

    /// <summary>Per-class logits at the input's resolution [B, C, H, W] (bilinear, align_corners=False).</summary>
    public Tensor PredictLogits(Tensor images)
    {
        using var scope = NewDisposeScope();
        using var logits = forward(images);
        return Upsample(logits.Main, images.shape[2], images.shape[3]).MoveToOuterDisposeScope();
    }

    /// <summary>CE (ignore 255) of the main logits plus AuxLossWeight × CE of the auxiliary logits, both upsampled to the labels.</summary>
    public (Tensor Total, double Main, double Auxiliary) Loss(SegmentationLogits logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        long h = labels.shape[1], w = labels.shape[2];
        var target = labels.to(int64);
        if (target.ne(Config.IgnoreIndex).sum().item<long>() == 0)
        {
            // Every pixel ignored (possible after a crop): a zero loss that still reaches every head parameter.
            var zero = logits.Main.sum() * 0.0;
            if (logits.Auxiliary is not null) zero = zero + logits.Auxiliary.sum() * 0.0;
            return (zero.MoveToOuterDisposeScope(), 0.0, logits.Auxiliary is null ? double.NaN : 0.0);
        }
        var main = F.cross_entropy(Upsample(logits.Main, h, w), target, ignore_index: Config.IgnoreIndex);
        var total = main;
        double auxValue = double.NaN;
        if (logits.Auxiliary is not null)
        {
            var aux = F.cross_entropy(Upsample(logits.Auxiliary, h, w), target, ignore_index: Config.IgnoreIndex);
            total = main + aux * Config.AuxLossWeight;
            auxValue = aux.item<float>();
        }
        return (total.MoveToOuterDisposeScope(), main.item<float>(), auxValue);
    }

    private static Tensor Upsample(Tensor logits, long h, long w) =>
        logits.shape[2] == h && logits.shape[3] == w
            ? logits.alias()
            : F.interpolate(logits, new[] { h, w }, mode: InterpolationMode.Bilinear, align_corners: false);
}
