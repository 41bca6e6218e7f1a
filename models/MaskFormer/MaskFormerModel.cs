using TorchSharp;
using TorchSharp.Modules;
using SSeg.Models.UperNet;
using static TorchSharp.torch;

namespace SSeg.Models.MaskFormer;

/// <summary>
/// MaskFormer without a class head (docs/method.md §4.1): ViT backbone → simple feature pyramid (strides 4/8/16/32
/// from the stride-16 tokens, BEiT's Feature2Pyramid) → FPN pixel decoder (mask features at stride 4);
/// stride-32 level → 1×1 input_proj → 49 memory tokens with sine positions; post-norm transformer decoder with
/// learned query positions and zero initial targets; a shared final LayerNorm on every layer's output (deep
/// supervision); mask_embed MLP; mask logits = mask_embed · mask_features.
/// </summary>
public sealed class MaskFormerModel : nn.Module<Tensor, MaskFormerOutput>
{
    public readonly VisionTransformer backbone;
    public readonly Feature2Pyramid pyramid;
    public readonly PixelDecoder pixel_decoder;
    public readonly Conv2d input_proj;
    public readonly Embedding query_embed;
    public readonly ModuleList<TransformerDecoderLayer> decoder_layers;
    public readonly LayerNorm decoder_norm;
    public readonly ModuleList<Linear> mask_embed;

    private readonly int[] _taps;

    public MaskFormerConfig Config { get; }

    public MaskFormerModel(MaskFormerConfig config) : base("maskformer")
    {
        Config = config;
        _taps = config.ResolvedPyramidBlocks();
        long d = config.Backbone.EmbedDim;
        backbone = new VisionTransformer(config.Backbone);
        pyramid = new Feature2Pyramid(d);
        pixel_decoder = new PixelDecoder([d, d, d, d], config.ConvDim, config.MaskDim, config.GroupNormGroups);
        input_proj = nn.Conv2d(d, config.HiddenDim, 1);
        query_embed = nn.Embedding(config.Queries, config.HiddenDim);
        decoder_layers = nn.ModuleList(Enumerable.Range(0, config.DecoderLayers)
            .Select(_ => new TransformerDecoderLayer(config.HiddenDim, config.Heads, config.FeedForwardDim, config.Dropout)).ToArray());
        decoder_norm = nn.LayerNorm(config.HiddenDim);
        mask_embed = nn.ModuleList(
            nn.Linear(config.HiddenDim, config.HiddenDim),
            nn.Linear(config.HiddenDim, config.HiddenDim),
            nn.Linear(config.HiddenDim, config.MaskDim));
        RegisterComponents();
        InitializeDecoder();
    }

    /// <summary>Images [B, 3, H, W] (H, W multiples of 32) → mask logits per layer and final query features.</summary>
    public override MaskFormerOutput forward(Tensor images)
    {
        if (images.shape[2] % 32 != 0 || images.shape[3] % 32 != 0)
            throw new ArgumentException($"Image size {images.shape[2]}x{images.shape[3]} must be a multiple of 32.");
        using var scope = NewDisposeScope();
        using var vit = backbone.Extract(images, new VitRequest(FinalTokens: false, BlockOutputs: _taps.Distinct().ToArray()));
        // The final block's output goes through the backbone's final norm (its trained output); earlier taps are raw.
        int last = Config.Backbone.Depth - 1;
        var maps = _taps.Select(i => vit.ToFeatureMap(i == last ? backbone.norm.forward(vit.BlockOutputs[i]) : vit.BlockOutputs[i])).ToArray();
        var levels = pyramid.forward(maps); // strides 4, 8, 16, 32
        var maskFeatures = pixel_decoder.forward(levels);

        var res5 = levels[3];
        long b = res5.shape[0];
        var memory = input_proj.forward(res5).flatten(2).transpose(1, 2); // [B, S, D]
        var pos = PositionEmbeddingSine.Compute(b, res5.shape[2], res5.shape[3], Config.HiddenDim / 2, res5.device, memory.dtype)
            .flatten(2).transpose(1, 2);
        var queryPos = query_embed.weight!.unsqueeze(0).expand(b, -1, -1);
        var tgt = zeros_like(queryPos);
        var hs = new List<Tensor>(Config.DecoderLayers);
        foreach (var layer in decoder_layers)
        {
            tgt = layer.Forward(tgt, memory, pos, queryPos);
            hs.Add(decoder_norm.forward(tgt));
        }
        var stacked = stack(hs, 0); // [L, B, Q, D]
        var e = stacked;
        for (int i = 0; i < 3; i++)
        {
            e = mask_embed[i].forward(e);
            if (i < 2) e = nn.functional.relu(e);
        }
        var predMasks = einsum("lbqc,bchw->lbqhw", e, maskFeatures);
        var output = new MaskFormerOutput(predMasks.MoveToOuterDisposeScope(), stacked[-1].MoveToOuterDisposeScope(), maskFeatures.MoveToOuterDisposeScope());
        return output;
    }

    /// <summary>DETR's init: xavier-uniform for every decoder/transformer matrix.</summary>
    private void InitializeDecoder()
    {
        using var noGrad = no_grad();
        foreach (var layer in decoder_layers)
            foreach (var (_, p) in layer.named_parameters())
                if (p.dim() > 1) nn.init.xavier_uniform_(p);
    }
}
