using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SSeg.Train.Training;

/// <summary>GroupViT's set_weight_decay: no weight decay on biases and on every parameter with fewer than 2 dims
/// (norms, logit scales); everything else decays.</summary>
public static class ParameterGroups
{
    public static (List<Parameter> Decay, List<Parameter> NoDecay, List<string> NoDecayNames) Split(nn.Module model)
    {
        var decay = new List<Parameter>();
        var noDecay = new List<Parameter>();
        var names = new List<string>();
        foreach (var (name, p) in model.named_parameters())
        {
            if (!p.requires_grad) continue;
            if (p.dim() <= 1 || name.EndsWith(".bias", StringComparison.Ordinal))
            {
                noDecay.Add(p);
                names.Add(name);
            }
            else decay.Add(p);
        }
        return (decay, noDecay, names);
    }
}
