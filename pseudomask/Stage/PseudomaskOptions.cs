namespace SSeg.Pseudomask;

/// <summary>How masks are generated (shared by the stage, the oracle and the bench).</summary>
public sealed record GeneratorOptions
{
    /// <summary>DINO model name: vit_small (default) or vit_base (vit_tiny only with --random-weights).</summary>
    public string Model { get; init; } = "vit_small";
    public int Patch { get; init; } = 8;
    /// <summary>Backbone checkpoint (.pth or .safetensors). Null: look for the official file name under the
    /// storage root's models/ folder.</summary>
    public string? Checkpoint { get; init; }
    /// <summary>Random ViT weights (tests and demos only; recorded in the mask metadata).</summary>
    public bool RandomWeights { get; init; }
    public FeatureKind Feature { get; init; } = FeatureKind.Tokens;
    public int K { get; init; } = 8;
    public int Seed { get; init; }
    public int MaxIterations { get; init; } = 30;
    /// <summary>Long side cap of the network input (pixels).</summary>
    public int MaxSide { get; init; } = 448;
    public int BatchSize { get; init; } = 16;
    /// <summary>auto | cpu | cuda[:N].</summary>
    public string Device { get; init; } = "auto";
    /// <summary>CPU threads for libtorch (null: libtorch's default).</summary>
    public int? Threads { get; init; }
    /// <summary>dtype of the ViT forward pass; features are cast back to float32 before normalisation and k-means.</summary>
    public SSeg.Models.InferencePrecision Precision { get; init; } = SSeg.Models.InferencePrecision.Fp32;

    public void Validate()
    {
        if (K is < 1 or > 255) throw new ArgumentException($"K must be in 1..255, got {K}.");
        if (BatchSize < 1) throw new ArgumentException($"Batch size must be positive, got {BatchSize}.");
        if (MaxIterations < 1) throw new ArgumentException($"Max iterations must be positive, got {MaxIterations}.");
        if (Patch < 1) throw new ArgumentException($"Patch size must be positive, got {Patch}.");
        if (RandomWeights && Checkpoint is not null)
            throw new ArgumentException("--random-weights and --checkpoint exclude each other.");
    }
}

/// <summary>One run of the stage over a dataset.</summary>
public sealed record PseudomaskOptions
{
    public required string Root { get; init; }
    public required string Dataset { get; init; }
    public string? AzureConnectionString { get; init; }
    public GeneratorOptions Generator { get; init; } = new();
    /// <summary>Mask generator id (folder masks/&lt;id&gt;); null: derived from the generator settings.</summary>
    public string? GeneratorId { get; init; }
}
