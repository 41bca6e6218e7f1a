using SSeg.Train.Data;
using SSeg.Train.Losses;
using SSeg.Train.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Train.Training;

/// <summary>Loss values of one forward pass (the total keeps its graph).</summary>
public sealed record ObjectiveTerms(Tensor Total, double Mask, double Focal, double Dice, double Itc, double MultiLabel);

/// <summary>L = λ_mask·L_mask + λ_con·(L_itc + λ_ml·L_ml) for one (micro-)batch (docs/method.md §5).</summary>
public sealed class SSegObjective(TrainOptions options)
{
    private readonly MaskCriterion _criterion = new(options.MaskLoss);

    public ObjectiveTerms Compute(SSegModel model, Tensor images, Tensor tokens, IReadOnlyList<Tensor> targets, Device device)
    {
        using var scope = NewDisposeScope();
        using var output = model.EncodeImages(images);
        var onDevice = targets.Select(t => t.to(device)).ToList();
        double numMasks = Math.Max(1.0, onDevice.Sum(t => (double)t.shape[0]));
        var (maskLoss, layers) = _criterion.Compute(output.PredMasks, onDevice, numMasks);

        long b = tokens.shape[0], texts = tokens.shape[1];
        var img = nn.functional.normalize(model.ImageEmbedding(model.EmbeddingFeatures(output)), dim: -1);
        var txt = nn.functional.normalize(model.EncodeText(tokens.reshape(b * texts, tokens.shape[2])), dim: -1).reshape(b, texts, -1);
        var itc = ContrastiveLosses.ImageText(img, txt.select(1, 0), model.Scale());
        Tensor contrast = itc;
        double ml = 0;
        if (texts > 1 && options.MultiLabelWeight > 0)
        {
            var mlLoss = ContrastiveLosses.MultiLabel(img, txt.narrow(1, 1, texts - 1), model.MultiLabelScale());
            ml = mlLoss.ToDouble();
            contrast = contrast + options.MultiLabelWeight * mlLoss;
        }
        var total = options.MaskWeight * maskLoss + options.ContrastiveWeight * contrast;
        var last = layers[^1];
        return new ObjectiveTerms(total.MoveToOuterDisposeScope(), maskLoss.ToDouble(), last.Focal, last.Dice, itc.ToDouble(), ml);
    }
}
