using SSeg.Models.MaskFormer;
using SSeg.Train.Data;
using SSeg.Train.Losses;
using SSeg.Train.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Train.Training;

/// <summary>Loss values of one forward pass (the total keeps its graph).</summary>
public sealed record ObjectiveTerms(Tensor Total, double Mask, double Focal, double Dice, double Itc, double MultiLabel);

/// <summary>L = λ_mask·L_mask + λ_con·(L_itc + λ_ml·L_ml) for one (micro-)batch (docs/method.md §5). The pieces
/// (<see cref="MaskLoss"/>, <see cref="Embed"/>, <see cref="Contrastive"/>) are public so that gradient caching
/// can compute the contrastive part over more samples than one forward pass holds.</summary>
public sealed class SSegObjective(TrainOptions options)
{
    private readonly MaskCriterion _criterion = new(options.MaskLoss);

    public TrainOptions Options => options;

    public ObjectiveTerms Compute(SSegModel model, Tensor images, Tensor tokens, IReadOnlyList<Tensor> targets, Device device)
    {
        using var scope = NewDisposeScope();
        using var output = model.EncodeImages(images);
        var (maskLoss, layers) = MaskLoss(output, targets, device, numMasks: null);
        var (img, txt) = Embed(model, output, tokens);
        var (contrast, itc, ml) = Contrastive(model, img, txt);
        var total = options.MaskWeight * maskLoss + options.ContrastiveWeight * contrast;
        var last = layers[^1];
        return new ObjectiveTerms(total.MoveToOuterDisposeScope(), maskLoss.ToDouble(), last.Focal, last.Dice, itc, ml);
    }

    /// <summary>Matched mask loss of one forward pass. <paramref name="numMasks"/>: the normaliser; null = the masks of
    /// these targets (a gradient-cached step passes the total over its contrastive batch, as DETR does across GPUs).</summary>
    public (Tensor Loss, IReadOnlyList<MaskLossTerms> Layers) MaskLoss(MaskFormerOutput output, IReadOnlyList<Tensor> targets, Device device, double? numMasks)
    {
        using var scope = NewDisposeScope();
        var onDevice = targets.Select(t => t.to(device)).ToList();
        double n = numMasks ?? Math.Max(1.0, onDevice.Sum(t => (double)t.shape[0]));
        var (loss, layers) = _criterion.Compute(output.PredMasks, onDevice, n);
        return (loss.MoveToOuterDisposeScope(), layers);
    }

    /// <summary>L2-normalised image embeddings [B, E] and text embeddings [B, 1 + prompts, E] of one forward pass.</summary>
    public (Tensor Image, Tensor Text) Embed(SSegModel model, MaskFormerOutput output, Tensor tokens)
    {
        using var scope = NewDisposeScope();
        long b = tokens.shape[0], texts = tokens.shape[1];
        var img = nn.functional.normalize(model.ImageEmbedding(model.EmbeddingFeatures(output)), dim: -1);
        var txt = nn.functional.normalize(model.EncodeText(tokens.reshape(b * texts, tokens.shape[2])), dim: -1).reshape(b, texts, -1);
        return (img.MoveToOuterDisposeScope(), txt.MoveToOuterDisposeScope());
    }

    /// <summary>L_itc + λ_ml·L_ml over all rows of <paramref name="image"/> [N, E] and <paramref name="text"/> [N, T, E]
    /// (T = caption + prompts), with the scales of <paramref name="model"/>; also the two values for logging.</summary>
    public (Tensor Loss, double Itc, double MultiLabel) Contrastive(SSegModel model, Tensor image, Tensor text)
    {
        using var scope = NewDisposeScope();
        long texts = text.shape[1];
        var itc = ContrastiveLosses.ImageText(image, text.select(1, 0), model.Scale());
        Tensor contrast = itc;
        double ml = 0;
        if (texts > 1 && options.MultiLabelWeight > 0)
        {
            var mlLoss = ContrastiveLosses.MultiLabel(image, text.narrow(1, 1, texts - 1), model.MultiLabelScale());
            ml = mlLoss.ToDouble();
            contrast = contrast + options.MultiLabelWeight * mlLoss;
        }
        return (contrast.MoveToOuterDisposeScope(), itc.ToDouble(), ml);
    }
}
