using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SSeg.Models.MaskFormer;

/// <summary>Multi-head attention with separate query/key/value inputs (PyTorch nn.MultiheadAttention semantics,
/// batch-first [B, L, D]): q/k/v projections, scaled dot-product attention with dropout on the weights, out_proj.</summary>
public sealed class MultiHeadAttention : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    public readonly Linear q_proj;
    public readonly Linear k_proj;
    public readonly Linear v_proj;
    public readonly Linear out_proj;
    private readonly int _heads;
    private readonly double _dropout;

    public MultiHeadAttention(int dim, int heads, double dropout) : base("attention")
    {
        if (dim % heads != 0) throw new ArgumentException($"dim {dim} is not divisible by {heads} heads");
        _heads = heads;
        _dropout = dropout;
        q_proj = nn.Linear(dim, dim);
        k_proj = nn.Linear(dim, dim);
        v_proj = nn.Linear(dim, dim);
        out_proj = nn.Linear(dim, dim);
        RegisterComponents();
    }

    public override Tensor forward(Tensor query, Tensor key, Tensor value)
    {
        using var scope = NewDisposeScope();
        var q = Split(q_proj.forward(query));
        var k = Split(k_proj.forward(key));
        var v = Split(v_proj.forward(value));
        var o = nn.functional.scaled_dot_product_attention(q, k, v, null, training ? _dropout : 0.0, false);
        long b = o.shape[0], l = o.shape[2];
        return out_proj.forward(o.transpose(1, 2).reshape(b, l, -1)).MoveToOuterDisposeScope();
    }

    private Tensor Split(Tensor x) => x.reshape(x.shape[0], x.shape[1], _heads, x.shape[2] / _heads).transpose(1, 2);
}
