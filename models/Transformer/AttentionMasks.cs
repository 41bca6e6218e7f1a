using static TorchSharp.torch;

namespace SSeg.Models;

/// <summary>
/// Masks accepted by <see cref="TransformerBlock"/>: either a float mask added to the attention logits
/// (0 = attend, -inf = blocked) or a bool mask where true = attend; both broadcast to [B, heads, L, L].
/// </summary>
public static class AttentionMasks
{
    /// <summary>Additive causal mask [L, L]: position i may attend to j &lt;= i.</summary>
    public static Tensor Causal(long length, Device? device = null, ScalarType dtype = ScalarType.Float32) =>
        full(length, length, float.NegativeInfinity, dtype: dtype, device: device).triu(1);

    /// <summary>Bool mask [B, 1, 1, L] from per-token validity [B, L] (true = real token, false = padding).</summary>
    public static Tensor FromPadding(Tensor valid) => valid.to_type(ScalarType.Bool).unsqueeze(1).unsqueeze(1);
}
