using SSeg.Models;
using SSeg.Models.MaskFormer;
using SSeg.Models.Text;

namespace SSeg.Train.Model;

/// <summary>How the image-level embedding is formed from the Q query features (docs/method.md §4.2).</summary>
public enum ImageEmbeddingOrder
{
    /// <summary>Mean over queries, then the projector (GroupViT/S-Seg default).</summary>
    AverageThenProject,
    /// <summary>[A] Project every query, then average.</summary>
    ProjectThenAverage,
}

/// <summary>What each query's embedding (the thing classified by text at inference) is computed from.</summary>
public enum QueryEmbeddingSource
{
    /// <summary>The decoder's query feature hs_q (S-Seg as published). Trained only through the average over queries,
    /// every query receives the same contrastive gradient, and in short training the queries of an image end up with
    /// nearly the same embedding: a background query is as similar to the object names as the object's own
    /// (train/README.md, "Background").</summary>
    DecoderQuery,
    /// <summary>[A] The pixel decoder's mask features averaged under the query's predicted mask (detached), through a
    /// linear layer to the query width: mask pooling as in MaskCLIP, ODISE and FC-CLIP. A query's embedding is made
    /// of its own region's pixels, so a background region is described by background pixels.</summary>
    MaskPooled,
}

/// <summary>The whole S-Seg model's shape (serialised into every checkpoint).</summary>
public sealed record SSegModelConfig
{
    public required string Name { get; init; }
    public int CropSize { get; init; } = 224;

    // image encoder
    public required string BackboneModel { get; init; }
    public int BackboneEmbedDim { get; init; }
    public int BackboneDepth { get; init; }
    public int BackboneHeads { get; init; }
    public int PatchSize { get; init; } = 16;
    public double BackboneDropPath { get; init; } = 0.1;
    public int ConvDim { get; init; } = 256;
    public int MaskDim { get; init; } = 256;
    public int GroupNormGroups { get; init; } = 32;
    public int HiddenDim { get; init; } = 256;
    public int Queries { get; init; } = 64;
    public int DecoderLayers { get; init; } = 6;
    public int DecoderHeads { get; init; } = 8;
    public int FeedForwardDim { get; init; } = 2048;
    public double Dropout { get; init; } = 0.1;

    // text encoder
    public int VocabSize { get; init; } = 49408;
    public int ContextLength { get; init; } = 77;
    public int TextWidth { get; init; } = 256;
    public int TextLayers { get; init; } = 12;
    public int TextHeads { get; init; } = 4;

    // projectors and scales
    public int ProjectorHidden { get; init; } = 4096;
    public int EmbedDim { get; init; } = 256;
    public double InitialLogitScale { get; init; } = Math.Log(1 / 0.07);
    public double MaxLogitScale { get; init; } = 100.0;
    public ImageEmbeddingOrder ImageEmbedding { get; init; } = ImageEmbeddingOrder.AverageThenProject;
    /// <summary>Checkpoints written before this setting existed lack it and so read as <see cref="QueryEmbeddingSource.DecoderQuery"/>,
    /// which is what they were trained with; the presets use <see cref="QueryEmbeddingSource.MaskPooled"/>.</summary>
    public QueryEmbeddingSource QueryEmbedding { get; init; } = QueryEmbeddingSource.DecoderQuery;

    public int MaskResolution => CropSize / 4;

    public VitConfig Vit() => new(BackboneModel, BackboneEmbedDim, BackboneDepth, BackboneHeads, PatchSize,
        ImageSize: CropSize, DropPath: BackboneDropPath);

    public MaskFormerConfig MaskFormer() => new(Vit(), null, ConvDim, MaskDim, GroupNormGroups, HiddenDim, Queries,
        DecoderLayers, DecoderHeads, FeedForwardDim, Dropout);

    public TextTransformerConfig Text() => new(VocabSize, ContextLength, TextWidth, TextLayers, TextHeads);

    /// <summary>docs/method.md defaults: ViT-S/16 MaskFormer (6 decoder layers, 64 queries), 12×256 text encoder, 4096→256 projectors.</summary>
    public static SSegModelConfig VitS16 { get; } = new()
    {
        Name = "vit-s16", BackboneModel = "vit_small/16", BackboneEmbedDim = 384, BackboneDepth = 12, BackboneHeads = 6,
        QueryEmbedding = QueryEmbeddingSource.MaskPooled,
    };

    /// <summary>A small model for tests, the demo and CPU experiments (64×64 crops, 16×16 masks).</summary>
    public static SSegModelConfig Tiny { get; } = new()
    {
        Name = "tiny", CropSize = 64,
        BackboneModel = "vit_tiny_test/16", BackboneEmbedDim = 64, BackboneDepth = 2, BackboneHeads = 2, BackboneDropPath = 0.0,
        ConvDim = 32, MaskDim = 32, GroupNormGroups = 8, HiddenDim = 64, Queries = 8, DecoderLayers = 2, DecoderHeads = 4,
        FeedForwardDim = 128, Dropout = 0.0,
        VocabSize = 49408, ContextLength = 24, TextWidth = 64, TextLayers = 2, TextHeads = 2,
        ProjectorHidden = 128, EmbedDim = 64, QueryEmbedding = QueryEmbeddingSource.MaskPooled,
    };

    public static SSegModelConfig FromPreset(string name) => name.ToLowerInvariant() switch
    {
        "tiny" => Tiny,
        "vit-s16" or "vit_s16" or "vits16" or "default" => VitS16,
        _ => throw new ArgumentException($"unknown model config '{name}' (tiny, vit-s16)"),
    };
}
