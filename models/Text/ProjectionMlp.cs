using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SSeg.Models.Text;

/// <summary>GroupViT's 2-layer projector (docs/method.md §4.2): Linear(in→hidden) → BatchNorm1d(hidden) → ReLU →
/// Linear(hidden→out). Works on [N, in]; BatchNorm uses batch statistics in training mode.</summary>
public sealed class ProjectionMlp : nn.Module<Tensor, Tensor>
{
    public readonly Linear linear_hidden;
    public readonly BatchNorm1d norm;
    public readonly Linear linear_out;

    public ProjectionMlp(long inDim, long hiddenDim = 4096, long outDim = 256) : base("projector")
    {
        linear_hidden = nn.Linear(inDim, hiddenDim);
        norm = nn.BatchNorm1d(hiddenDim);
        linear_out = nn.Linear(hiddenDim, outDim);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var shape = x.shape;
        var flat = x.reshape(-1, shape[^1]);
        var h = nn.functional.relu(norm.forward(linear_hidden.forward(flat)));
        var y = linear_out.forward(h);
        var outShape = shape.ToArray();
        outShape[^1] = y.shape[1];
        return y.reshape(outShape).MoveToOuterDisposeScope();
    }
}
