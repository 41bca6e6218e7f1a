using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SSeg.Models;

/// <summary>What one attention call produced beyond its output (only filled when asked for).</summary>
public sealed record AttentionDetails(Tensor Queries, Tensor Keys, Tensor Values, Tensor? Probabilities);

/// <summary>
/// Self-attention with a fused qkv Linear whose output rows are laid out [q | k | v], each split into contiguous
/// per-head blocks of D/heads (DINO/timm layout), followed by the output projection `proj`.
/// </summary>
public sealed class MultiHeadSelfAttention : nn.Module<Tensor, Tensor>
{
    private readonly int _heads;
    private readonly double _scale;

    public readonly Linear qkv;
    public readonly Linear proj;

    public MultiHeadSelfAttention(TransformerBlockOptions options) : base("attn")
    {
        _heads = options.Heads;
        _scale = Math.Pow(options.HeadDim, -0.5);
        qkv = nn.Linear(options.Dim, options.Dim * 3, hasBias: options.QkvBias);
        proj = nn.Linear(options.Dim, options.Dim);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => Forward(x, null);

    /// <summary>Attention output [B, L, D]; uses the fused scaled-dot-product kernel.</summary>
    public Tensor Forward(Tensor x, Tensor? mask)
    {
        using var scope = NewDisposeScope();
        var (q, k, v) = SplitHeads(x);
        var o = F.scaled_dot_product_attention(q, k, v, attn_mask: mask);
        return proj.forward(MergeHeads(o)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Output plus q, k, v merged back to [B, L, D] (heads concatenated, as DINO's key features) and, when
    /// <paramref name="withProbabilities"/>, the softmax attention [B, heads, L, L].
    /// </summary>
    public (Tensor Output, AttentionDetails Details) ForwardDetailed(Tensor x, Tensor? mask, bool withProbabilities)
    {
        using var scope = NewDisposeScope();
        var (q, k, v) = SplitHeads(x);
        Tensor o;
        Tensor? probs = null;
        if (withProbabilities)
        {
            probs = Probabilities(q, k, mask);
            o = probs.matmul(v);
        }
        else
        {
            o = F.scaled_dot_product_attention(q, k, v, attn_mask: mask);
        }
        var output = proj.forward(MergeHeads(o)).MoveToOuterDisposeScope();
        var details = new AttentionDetails(
            MergeHeads(q).MoveToOuterDisposeScope(),
            MergeHeads(k).MoveToOuterDisposeScope(),
            MergeHeads(v).MoveToOuterDisposeScope(),
            probs?.MoveToOuterDisposeScope());
        return (output, details);
    }

    /// <summary>Only the keys [B, L, D] (no softmax, no projection): the cheap path for key features.</summary>
    public Tensor Keys(Tensor x)
    {
        var dim = qkv.weight!.shape[1];
        using var scope = NewDisposeScope();
        var w = qkv.weight!.narrow(0, dim, dim);
        var b = qkv.bias is null ? null : qkv.bias.narrow(0, dim, dim);
        return F.linear(x, w, b).MoveToOuterDisposeScope();
    }

    private Tensor Probabilities(Tensor q, Tensor k, Tensor? mask)
    {
        var logits = q.matmul(k.transpose(-2, -1)).mul(_scale);
        if (mask is not null)
            logits = mask.dtype == ScalarType.Bool
                ? logits.masked_fill(mask.logical_not(), double.NegativeInfinity)
                : logits.add(mask);
        return logits.softmax(-1);
    }

    private (Tensor Q, Tensor K, Tensor V) SplitHeads(Tensor x)
    {
        var b = x.shape[0];
        var l = x.shape[1];
        var d = x.shape[2];
        var fused = qkv.forward(x).reshape(b, l, 3, _heads, d / _heads).permute(2, 0, 3, 1, 4);
        return (fused[0], fused[1], fused[2]);
    }

    private static Tensor MergeHeads(Tensor t)
    {
        var b = t.shape[0];
        var l = t.shape[2];
        return t.transpose(1, 2).reshape(b, l, -1);
    }
}
