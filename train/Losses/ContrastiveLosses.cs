using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Train.Losses;

/// <summary>Image–text contrastive losses (docs/method.md §5.2). Embeddings must already be L2-normalised.
/// Single-process: the batch is the global batch (no cross-GPU gather).</summary>
public static class ContrastiveLosses
{
    /// <summary>Effective scale s = min(exp θ, max) of a learnable log-scale θ.</summary>
    public static Tensor LogitScale(Tensor theta, double max = 100.0) => theta.exp().clamp_max(max);

    /// <summary>CLIP-style bidirectional cross-entropy: ½[CE(s·V·Tᵀ) + CE(s·T·Vᵀ)] with the diagonal as labels.</summary>
    public static Tensor ImageText(Tensor image, Tensor text, Tensor scale)
    {
        using var scope = NewDisposeScope();
        long b = image.shape[0];
        var labels = arange(b, dtype: int64, device: image.device);
        var logits = scale * image.matmul(text.t());
        var loss = 0.5 * (nn.functional.cross_entropy(logits, labels) + nn.functional.cross_entropy(logits.t(), labels));
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// GroupViT multi-label loss: image→prompts soft-target CE (1/L on each of the image's own L prompts) and
    /// prompt→images CE (target = its own image), averaged. <paramref name="prompts"/> is [B,L,D].
    /// </summary>
    public static Tensor MultiLabel(Tensor image, Tensor prompts, Tensor scale)
    {
        using var scope = NewDisposeScope();
        long b = prompts.shape[0], l = prompts.shape[1];
        var flat = prompts.reshape(b * l, prompts.shape[2]);
        var owner = arange(b, dtype: int64, device: image.device).repeat_interleave(l);
        var soft = nn.functional.one_hot(owner, b).t().to(image.dtype) / l; // [B, B·L]
        var i2t = (-soft * nn.functional.log_softmax(scale * image.matmul(flat.t()), -1)).sum(-1).mean();
        var t2i = nn.functional.cross_entropy(scale * flat.matmul(image.t()), owner);
        return (0.5 * (i2t + t2i)).MoveToOuterDisposeScope();
    }
}
