using static TorchSharp.torch;

namespace SSeg.Models;

/// <summary>Which outputs <see cref="VisionTransformer.Extract"/> computes.</summary>
/// <param name="FinalTokens">Final-norm output of the last block, [B, 1+n, D] (CLS first).</param>
/// <param name="BlockOutputs">0-based block indices whose raw outputs (before the final norm) to return, [B, 1+n, D].</param>
/// <param name="LastQkv">Queries, keys and values of the last block, each [B, 1+n, D] (heads concatenated).</param>
/// <param name="LastAttention">Softmax attention of the last block, [B, heads, 1+n, 1+n].</param>
public sealed record VitRequest(
    bool FinalTokens = true,
    IReadOnlyCollection<int>? BlockOutputs = null,
    bool LastQkv = false,
    bool LastAttention = false)
{
    public static VitRequest Tokens { get; } = new();
    public static VitRequest KeysOnly { get; } = new(FinalTokens: false, LastQkv: true);
}

/// <summary>Outputs of one ViT pass; owns its tensors (dispose it, or move them to an outer scope).</summary>
public sealed class VitFeatures : IDisposable
{
    public required long GridHeight { get; init; }
    public required long GridWidth { get; init; }
    public Tensor? Tokens { get; init; }
    public IReadOnlyDictionary<int, Tensor> BlockOutputs { get; init; } = new Dictionary<int, Tensor>();
    public Tensor? Queries { get; init; }
    public Tensor? Keys { get; init; }
    public Tensor? Values { get; init; }
    public Tensor? Attention { get; init; }

    /// <summary>Patch tokens of a [B, 1+n, D] tensor (CLS dropped), [B, n, D].</summary>
    public static Tensor PatchTokens(Tensor withCls) => withCls.narrow(1, 1, withCls.shape[1] - 1);

    /// <summary>Patch tokens as a feature map [B, D, gh, gw].</summary>
    public Tensor ToFeatureMap(Tensor withCls)
    {
        var p = PatchTokens(withCls);
        return p.transpose(1, 2).reshape(p.shape[0], p.shape[2], GridHeight, GridWidth);
    }

    public IEnumerable<Tensor> AllTensors()
    {
        foreach (var t in new[] { Tokens, Queries, Keys, Values, Attention })
            if (t is not null) yield return t;
        foreach (var t in BlockOutputs.Values) yield return t;
    }

    public void MoveToOuterDisposeScope()
    {
        foreach (var t in AllTensors()) t.MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        foreach (var t in AllTensors()) t.Dispose();
    }
}
