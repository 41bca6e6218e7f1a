using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SSeg.Models;

/// <summary>The block MLP: fc1 (D -&gt; hidden), activation, fc2 (hidden -&gt; D).</summary>
public sealed class FeedForward : nn.Module<Tensor, Tensor>
{
    private readonly Activation _activation;

    public readonly Linear fc1;
    public readonly Linear fc2;

    public FeedForward(TransformerBlockOptions options) : base("mlp")
    {
        _activation = options.Activation;
        fc1 = nn.Linear(options.Dim, options.MlpHidden);
        fc2 = nn.Linear(options.MlpHidden, options.Dim);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = fc1.forward(x);
        h = _activation switch
        {
            Activation.Gelu => F.gelu(h),
            Activation.QuickGelu => h.mul(torch.sigmoid(h.mul(1.702))),
            _ => throw new InvalidOperationException($"Unknown activation {_activation}"),
        };
        return fc2.forward(h).MoveToOuterDisposeScope();
    }
}
