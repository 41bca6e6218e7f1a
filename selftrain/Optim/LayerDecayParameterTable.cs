namespace SSeg.Selftrain.Optim;

/// <summary>Options of the layer-wise learning-rate decay (docs/method.md §8.3).</summary>
public sealed record LayerDecayOptions
{
    /// <summary>Number of transformer blocks of the backbone (12 for ViT-B).</summary>
    public int NumBlocks { get; init; } = 12;
    public double DecayRate { get; init; } = 0.7;
    public double BaseLearningRate { get; init; } = 1e-4;
    public double WeightDecay { get; init; } = 0.05;
    /// <summary>Prefix of the backbone's parameters in the full model's names.</summary>
    public string BackbonePrefix { get; init; } = "backbone.";
}

/// <summary>One row of the per-parameter table: which group a parameter joins and with what lr and weight decay.</summary>
public sealed record LayerDecayEntry(string Name, int LayerId, double LearningRateScale, double LearningRate, double WeightDecay)
{
    public bool HasWeightDecay => WeightDecay != 0;
    public string GroupName => $"layer_{LayerId}_{(HasWeightDecay ? "decay" : "no_decay")}";
}

/// <summary>
/// The layer-wise decay rule: layer id 0 for the embeddings (cls_token, pos_embed, patch_embed.*), i+1 for
/// blocks.i.*, NumBlocks+1 for everything else (final norm, neck, heads); lr scale = rate^(NumBlocks+1 − id).
/// No weight decay for 1-D parameters, biases, pos_embed and cls_token.
/// </summary>
public static class LayerDecayParameterTable
{
    public static int LayerId(string name, LayerDecayOptions options)
    {
        if (!name.StartsWith(options.BackbonePrefix, StringComparison.Ordinal)) return options.NumBlocks + 1;
        var local = name[options.BackbonePrefix.Length..];
        if (local is "cls_token" or "pos_embed" or "mask_token" || local.StartsWith("patch_embed.", StringComparison.Ordinal))
            return 0;
        if (local.StartsWith("blocks.", StringComparison.Ordinal))
        {
            var parts = local.Split('.');
            if (parts.Length > 1 && int.TryParse(parts[1], out var block))
            {
                if (block < 0 || block >= options.NumBlocks)
                    throw new ArgumentException($"Parameter '{name}' names block {block}, but the backbone has {options.NumBlocks} blocks.");
                return block + 1;
            }
        }
        return options.NumBlocks + 1;
    }

    public static bool HasNoWeightDecay(string name, IReadOnlyList<long> shape)
    {
        var last = name[(name.LastIndexOf('.') + 1)..];
        return shape.Count == 1 || name.EndsWith(".bias", StringComparison.Ordinal) || last is "pos_embed" or "cls_token";
    }

    public static LayerDecayEntry Entry(string name, IReadOnlyList<long> shape, LayerDecayOptions options)
    {
        var id = LayerId(name, options);
        var scale = Math.Pow(options.DecayRate, options.NumBlocks + 1 - id);
        var wd = HasNoWeightDecay(name, shape) ? 0.0 : options.WeightDecay;
        return new LayerDecayEntry(name, id, scale, options.BaseLearningRate * scale, wd);
    }

    public static IReadOnlyList<LayerDecayEntry> Build(IEnumerable<(string Name, long[] Shape)> parameters, LayerDecayOptions options)
        => parameters.Select(p => Entry(p.Name, p.Shape, options)).ToList();
}
