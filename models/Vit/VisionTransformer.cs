using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SSeg.Models;

/// <summary>
/// DINO's ViT (facebookresearch/dino vision_transformer.py semantics, docs/method.md §3.2) with no classification
/// head. Parameter names equal the official state-dict keys (cls_token, pos_embed, patch_embed.proj.*,
/// blocks.i.*, norm.*), so DINO and MAE backbone checkpoints load by name.
/// </summary>
public sealed class VisionTransformer : nn.Module<Tensor, Tensor>
{
    public readonly Parameter cls_token;
    public readonly Parameter pos_embed;
    public readonly PatchEmbed patch_embed;
    public readonly ModuleList<TransformerBlock> blocks;
    public readonly LayerNorm norm;

    public VitConfig Config { get; }

    public VisionTransformer(VitConfig config) : base("vit")
    {
        Config = config;
        patch_embed = new PatchEmbed(config.InChannels, config.EmbedDim, config.PatchSize);
        cls_token = nn.Parameter(zeros(1, 1, config.EmbedDim));
        pos_embed = nn.Parameter(zeros(1, 1 + config.NumPatches, config.EmbedDim));
        blocks = nn.ModuleList(Enumerable.Range(0, config.Depth)
            .Select(i => new TransformerBlock(config.BlockOptions(i))).ToArray());
        norm = nn.LayerNorm(new long[] { config.EmbedDim }, config.LayerNormEps);
        RegisterComponents();
        InitializeLikeDino();
    }

    /// <summary>Final-norm tokens [B, 1+n, D] for images [B, C, H, W] (H, W multiples of the patch size).</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var t = Embed(x, out _, out _);
        foreach (var block in blocks) t = block.forward(t);
        return norm.forward(t).MoveToOuterDisposeScope();
    }

    /// <summary>Computes the outputs named in <paramref name="request"/> in one pass.</summary>
    public VitFeatures Extract(Tensor x, VitRequest request)
    {
        using var scope = NewDisposeScope();
        var wanted = new HashSet<int>(request.BlockOutputs ?? Array.Empty<int>());
        foreach (var i in wanted)
            if (i < 0 || i >= Config.Depth) throw new ArgumentOutOfRangeException(nameof(request), $"Block {i} outside 0..{Config.Depth - 1}.");

        var t = Embed(x, out var gh, out var gw);
        var outputs = new Dictionary<int, Tensor>();
        var last = Config.Depth - 1;
        for (var i = 0; i < last; i++)
        {
            t = blocks[i].forward(t);
            if (wanted.Contains(i)) outputs[i] = t;
        }

        AttentionDetails? details = null;
        var needLastOutput = request.FinalTokens || wanted.Contains(last);
        if (request.LastAttention || (request.LastQkv && needLastOutput))
        {
            (t, details) = blocks[last].ForwardDetailed(t, null, request.LastAttention);
        }
        else if (request.LastQkv)
        {
            // Keys-only facet: skip the rest of the last block (as DINO's feature extraction for keys).
            var keys = blocks[last].Keys(t);
            return Finish(new VitFeatures { GridHeight = gh, GridWidth = gw, Keys = keys, BlockOutputs = outputs });
        }
        else if (needLastOutput)
        {
            t = blocks[last].forward(t);
        }
        if (wanted.Contains(last)) outputs[last] = t;

        var features = new VitFeatures
        {
            GridHeight = gh,
            GridWidth = gw,
            Tokens = request.FinalTokens ? norm.forward(t) : null,
            BlockOutputs = outputs,
            Queries = request.LastQkv ? details!.Queries : null,
            Keys = request.LastQkv ? details!.Keys : null,
            Values = request.LastQkv ? details!.Values : null,
            Attention = request.LastAttention ? details!.Probabilities : null,
        };
        return Finish(features);

        static VitFeatures Finish(VitFeatures f)
        {
            f.MoveToOuterDisposeScope();
            return f;
        }
    }

    /// <summary>Patch embedding + CLS + (interpolated) position embedding: [B, 1+n, D].</summary>
    public Tensor Embed(Tensor x, out long gridHeight, out long gridWidth)
    {
        if (x.dim() != 4 || x.shape[1] != Config.InChannels)
            throw new ArgumentException($"Expected images [B, {Config.InChannels}, H, W], got [{string.Join(", ", x.shape)}].");
        var p = Config.PatchSize;
        if (x.shape[2] % p != 0 || x.shape[3] % p != 0)
            throw new ArgumentException($"Image size {x.shape[2]}x{x.shape[3]} is not a multiple of the patch size {p}.");
        gridHeight = x.shape[2] / p;
        gridWidth = x.shape[3] / p;

        using var scope = NewDisposeScope();
        var patches = patch_embed.forward(x);
        var cls = cls_token.expand(x.shape[0], -1, -1);
        var tokens = torch.cat(new[] { cls, patches }, 1);
        var pos = PositionEmbedding.Interpolate(pos_embed, gridHeight, gridWidth);
        return tokens.add(pos).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// DINO's init: truncated normal (std 0.02, cut at ±2 absolute as timm's trunc_normal_) for Linear weights,
    /// pos_embed and cls_token; zero biases; unit LayerNorms. Uses normal_ + clamp_ because TorchSharp 0.107's
    /// nn.init.trunc_normal_ yields constant or NaN values on this CPU build; with std 0.02 the ±2 bound is never hit.
    /// </summary>
    private void InitializeLikeDino()
    {
        using var noGrad = no_grad();
        TruncNormal(pos_embed);
        TruncNormal(cls_token);
        foreach (var (_, module) in named_modules())
        {
            if (module is Linear linear)
            {
                TruncNormal(linear.weight!);
                if (linear.bias is not null) nn.init.zeros_(linear.bias);
            }
            else if (module is LayerNorm ln)
            {
                nn.init.ones_(ln.weight!);
                nn.init.zeros_(ln.bias!);
            }
        }

        static void TruncNormal(Tensor t) => nn.init.normal_(t, 0.0, 0.02).clamp_(-2.0, 2.0);
    }
}
