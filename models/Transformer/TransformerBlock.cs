using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SSeg.Models;

/// <summary>
/// Pre-norm transformer block: x += DropPath(Attn(norm1(x))); x += DropPath(MLP(norm2(x))).
/// Parameter names follow DINO/timm: norm1.*, attn.qkv.*, attn.proj.*, norm2.*, mlp.fc1.*, mlp.fc2.*.
/// </summary>
public sealed class TransformerBlock : nn.Module<Tensor, Tensor>
{
    private readonly double _dropPath;

    public readonly LayerNorm norm1;
    public readonly MultiHeadSelfAttention attn;
    public readonly LayerNorm norm2;
    public readonly FeedForward mlp;

    public TransformerBlockOptions Options { get; }

    public TransformerBlock(TransformerBlockOptions options) : base("block")
    {
        options.Validate();
        Options = options;
        _dropPath = options.DropPath;
        norm1 = nn.LayerNorm(new long[] { options.Dim }, options.LayerNormEps);
        attn = new MultiHeadSelfAttention(options);
        norm2 = nn.LayerNorm(new long[] { options.Dim }, options.LayerNormEps);
        mlp = new FeedForward(options);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => Forward(x, null);

    /// <summary>Block output; <paramref name="mask"/> as described in <see cref="AttentionMasks"/>.</summary>
    public Tensor Forward(Tensor x, Tensor? mask)
    {
        using var scope = NewDisposeScope();
        var h = x.add(DropPath(attn.Forward(norm1.forward(x), mask)));
        return h.add(DropPath(mlp.forward(norm2.forward(h)))).MoveToOuterDisposeScope();
    }

    /// <summary>Block output plus the attention details (q, k, v and optionally the softmax probabilities).</summary>
    public (Tensor Output, AttentionDetails Details) ForwardDetailed(Tensor x, Tensor? mask, bool withProbabilities)
    {
        using var scope = NewDisposeScope();
        var (a, details) = attn.ForwardDetailed(norm1.forward(x), mask, withProbabilities);
        var h = x.add(DropPath(a));
        var output = h.add(DropPath(mlp.forward(norm2.forward(h)))).MoveToOuterDisposeScope();
        details.Queries.MoveToOuterDisposeScope();
        details.Keys.MoveToOuterDisposeScope();
        details.Values.MoveToOuterDisposeScope();
        details.Probabilities?.MoveToOuterDisposeScope();
        return (output, details);
    }

    /// <summary>Keys of this block's attention for input x, [B, L, D] (DINO's "last-layer keys" facet).</summary>
    public Tensor Keys(Tensor x)
    {
        using var scope = NewDisposeScope();
        return attn.Keys(norm1.forward(x)).MoveToOuterDisposeScope();
    }

    private Tensor DropPath(Tensor branch)
    {
        if (!training || _dropPath <= 0) return branch;
        var keep = 1.0 - _dropPath;
        var shape = new long[branch.dim()];
        Array.Fill(shape, 1L);
        shape[0] = branch.shape[0];
        var mask = torch.empty(shape, dtype: branch.dtype, device: branch.device).bernoulli_(keep).div_(keep);
        return branch.mul(mask);
    }
}
