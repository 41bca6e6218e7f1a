using SSeg.Models.MaskFormer;
using SSeg.Models.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SSeg.Train.Model;

/// <summary>
/// S-Seg (docs/method.md §4): MaskFormer image encoder without class head, text transformer, image and text projectors
/// (Linear→BN→ReLU→Linear), the mask-pooling layer when queries are embedded from their regions, and learnable log logit scales for the image–text and multi-label losses.
/// </summary>
public sealed class SSegModel : nn.Module
{
    public readonly MaskFormerModel image_encoder;
    public readonly TextTransformer text_encoder;
    public readonly ProjectionMlp image_projector;
    public readonly ProjectionMlp text_projector;
    public readonly Parameter logit_scale;
    public readonly Parameter logit_scale_multilabel;
    public readonly Linear? region_proj;

    public SSegModelConfig Config { get; }

    public SSegModel(SSegModelConfig config) : base("sseg")
    {
        Config = config;
        image_encoder = new MaskFormerModel(config.MaskFormer());
        text_encoder = new TextTransformer(config.Text());
        image_projector = new ProjectionMlp(config.HiddenDim, config.ProjectorHidden, config.EmbedDim);
        text_projector = new ProjectionMlp(config.TextWidth, config.ProjectorHidden, config.EmbedDim);
        logit_scale = nn.Parameter(tensor((float)config.InitialLogitScale));
        logit_scale_multilabel = nn.Parameter(tensor((float)config.InitialLogitScale));
        if (config.QueryEmbedding == QueryEmbeddingSource.MaskPooled) region_proj = nn.Linear(config.MaskDim, config.HiddenDim);
        RegisterComponents();
    }

    public MaskFormerOutput EncodeImages(Tensor images) => image_encoder.forward(images);

    /// <summary>Per-query features [B, Q, D] the embeddings are made from (<see cref="SSegModelConfig.QueryEmbedding"/>).
    /// The masks are detached: the mask losses alone shape them, the image–text losses shape what is pooled.</summary>
    public Tensor EmbeddingFeatures(MaskFormerOutput output)
    {
        if (region_proj is null) return output.QueryFeatures;
        using var scope = NewDisposeScope();
        var m = output.FinalMasks.detach().sigmoid();                                   // [B,Q,h,w]
        var pooled = einsum("bqhw,bchw->bqc", m, output.MaskFeatures) / m.sum(new long[] { 2, 3 }).unsqueeze(-1).clamp_min(1e-6);
        return region_proj.forward(pooled).MoveToOuterDisposeScope();
    }

    /// <summary>Image-level embedding [B, E] (not normalised) from query features [B, Q, D].</summary>
    public Tensor ImageEmbedding(Tensor queryFeatures)
    {
        using var scope = NewDisposeScope();
        var e = Config.ImageEmbedding == ImageEmbeddingOrder.AverageThenProject
            ? image_projector.forward(queryFeatures.mean([1]))
            : image_projector.forward(queryFeatures).mean([1]);
        return e.MoveToOuterDisposeScope();
    }

    /// <summary>Per-query embeddings [B, Q, E] (not normalised), used at inference to classify masks.</summary>
    public Tensor QueryEmbeddings(Tensor queryFeatures) => image_projector.forward(queryFeatures);

    /// <summary>Text embeddings [N, E] (not normalised) for token ids [N, L].</summary>
    public Tensor EncodeText(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        return text_projector.forward(text_encoder.forward(tokens)).MoveToOuterDisposeScope();
    }

    public Tensor Scale() => logit_scale.exp().clamp_max(Config.MaxLogitScale);
    public Tensor MultiLabelScale() => logit_scale_multilabel.exp().clamp_max(Config.MaxLogitScale);
}
