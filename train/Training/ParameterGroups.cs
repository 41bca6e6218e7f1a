using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SSeg.Train.Training;

/// <summary>
/// Which parameters get weight decay. None of: biases, parameters with fewer than 2 dims (norms, logit scales)
/// — GroupViT's set_weight_decay — and the learned embeddings that are positions or tokens rather than weights:
/// the ViT's <c>pos_embed</c> and <c>cls_token</c>, the MaskFormer query embeddings and the text positional
/// embedding. DINO, MAE and DETR/MaskFormer exempt these, because decay pulls them towards zero, which only
/// shrinks the position/identity signal and regularises nothing.
/// </summary>
public static class ParameterGroups
{
    private static readonly string[] EmbeddingNames = ["pos_embed", "cls_token", "query_embed.weight", "positional_embedding"];

    public static (List<Parameter> Decay, List<Parameter> NoDecay, List<string> NoDecayNames) Split(nn.Module model)
    {
        var decay = new List<Parameter>();
        var noDecay = new List<Parameter>();
        var names = new List<string>();
        foreach (var (name, p) in model.named_parameters())
        {
            if (!p.requires_grad) continue;
            if (IsExempt(name, p))
            {
                noDecay.Add(p);
                names.Add(name);
            }
            else decay.Add(p);
        }
        return (decay, noDecay, names);
    }

    public static bool IsExempt(string name, Parameter p) =>
        p.dim() <= 1 || name.EndsWith(".bias", StringComparison.Ordinal) ||
        EmbeddingNames.Any(e => name == e || name.EndsWith("." + e, StringComparison.Ordinal));
}
