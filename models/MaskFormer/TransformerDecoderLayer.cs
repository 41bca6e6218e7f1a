using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SSeg.Models.MaskFormer;

/// <summary>DETR post-norm decoder layer: self-attention (q = k = tgt + query_pos), add &amp; norm; cross-attention
/// (q = tgt + query_pos, k = memory + pos, v = memory), add &amp; norm; ReLU FFN, add &amp; norm.</summary>
public sealed class TransformerDecoderLayer : nn.Module
{
    public readonly MultiHeadAttention self_attn;
    public readonly MultiHeadAttention cross_attn;
    public readonly Linear linear1;
    public readonly Linear linear2;
    public readonly LayerNorm norm1;
    public readonly LayerNorm norm2;
    public readonly LayerNorm norm3;
    public readonly Dropout dropout;

    public TransformerDecoderLayer(int dim, int heads, int ffn, double dropoutP) : base("decoder_layer")
    {
        self_attn = new MultiHeadAttention(dim, heads, dropoutP);
        cross_attn = new MultiHeadAttention(dim, heads, dropoutP);
        linear1 = nn.Linear(dim, ffn);
        linear2 = nn.Linear(ffn, dim);
        norm1 = nn.LayerNorm(dim);
        norm2 = nn.LayerNorm(dim);
        norm3 = nn.LayerNorm(dim);
        dropout = nn.Dropout(dropoutP);
        RegisterComponents();
    }

    /// <param name="tgt">[B, Q, D]</param><param name="memory">[B, S, D]</param>
    /// <param name="pos">[B, S, D] memory position encoding</param><param name="queryPos">[B, Q, D]</param>
    public Tensor Forward(Tensor tgt, Tensor memory, Tensor pos, Tensor queryPos)
    {
        using var scope = NewDisposeScope();
        var q = tgt + queryPos;
        tgt = norm1.forward(tgt + dropout.forward(self_attn.forward(q, q, tgt)));
        tgt = norm2.forward(tgt + dropout.forward(cross_attn.forward(tgt + queryPos, memory + pos, memory)));
        var ff = linear2.forward(dropout.forward(nn.functional.relu(linear1.forward(tgt))));
        return norm3.forward(tgt + dropout.forward(ff)).MoveToOuterDisposeScope();
    }
}
