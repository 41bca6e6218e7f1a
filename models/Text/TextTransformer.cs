using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SSeg.Models.Text;

/// <summary>
/// CLIP/GroupViT text transformer (docs/method.md §4.2): token + learned position embeddings, pre-norm causal blocks
/// (the shared <see cref="TransformerBlock"/> with QuickGELU, LayerNorm eps 1e-5), final LayerNorm, and the hidden
/// state at the EOT position (= argmax of the token ids, EOT being the largest id) as the sentence embedding.
/// </summary>
public sealed class TextTransformer : nn.Module<Tensor, Tensor>
{
    public readonly Embedding token_embedding;
    public readonly Parameter positional_embedding;
    public readonly ModuleList<TransformerBlock> blocks;
    public readonly LayerNorm ln_final;

    public TextTransformerConfig Config { get; }

    public TextTransformer(TextTransformerConfig config) : base("text_transformer")
    {
        Config = config;
        token_embedding = nn.Embedding(config.VocabSize, config.Width);
        positional_embedding = nn.Parameter(zeros(config.ContextLength, config.Width));
        var options = new TransformerBlockOptions(config.Width, config.Heads, config.MlpRatio, QkvBias: true,
            LayerNormEps: config.LayerNormEps, Activation: Activation.QuickGelu);
        blocks = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(_ => new TransformerBlock(options)).ToArray());
        ln_final = nn.LayerNorm(new long[] { config.Width }, config.LayerNormEps);
        RegisterComponents();
        InitializeLikeClip();
    }

    /// <summary>Token ids [N, L] (L ≤ context) → embeddings [N, width] at each sequence's EOT.</summary>
    public override Tensor forward(Tensor tokens)
    {
        if (tokens.dim() != 2) throw new ArgumentException($"Expected token ids [N, L], got [{string.Join(", ", tokens.shape)}].");
        long length = tokens.shape[1];
        if (length > Config.ContextLength) throw new ArgumentException($"Sequence length {length} exceeds the context {Config.ContextLength}.");
        using var scope = NewDisposeScope();
        var x = token_embedding.forward(tokens).add(positional_embedding.narrow(0, 0, length));
        var mask = AttentionMasks.Causal(length, x.device, x.dtype);
        foreach (var block in blocks) x = block.Forward(x, mask);
        x = ln_final.forward(x);
        var eot = tokens.argmax(-1);
        var pooled = x.gather(1, eot.view(-1, 1, 1).expand(-1, 1, x.shape[2])).squeeze(1);
        return pooled.MoveToOuterDisposeScope();
    }

    /// <summary>CLIP's init: token N(0, 0.02), positions N(0, 0.01), attention in-proj std w^-0.5, out-proj and
    /// MLP c_proj std w^-0.5·(2L)^-0.5, MLP c_fc std (2w)^-0.5, zero biases.</summary>
    private void InitializeLikeClip()
    {
        using var noGrad = no_grad();
        double w = Config.Width;
        double projStd = Math.Pow(w, -0.5) * Math.Pow(2.0 * Config.Layers, -0.5);
        nn.init.normal_(token_embedding.weight!, std: 0.02);
        nn.init.normal_(positional_embedding, std: 0.01);
        foreach (var block in blocks)
        {
            nn.init.normal_(block.attn.qkv.weight!, std: Math.Pow(w, -0.5));
            nn.init.normal_(block.attn.proj.weight!, std: projStd);
            nn.init.normal_(block.mlp.fc1.weight!, std: Math.Pow(2 * w, -0.5));
            nn.init.normal_(block.mlp.fc2.weight!, std: projStd);
            foreach (var bias in new[] { block.attn.qkv.bias, block.attn.proj.bias, block.mlp.fc1.bias, block.mlp.fc2.bias })
                if (bias is not null) nn.init.zeros_(bias);
        }
    }
}
