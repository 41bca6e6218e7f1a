using System.Text.Json;
using System.Text.Json.Serialization;
using SSeg.Models;

namespace SSeg.Selftrain.Model;

/// <summary>
/// Shape of an S-Seg+ model (docs/method.md §8.2): a ViT backbone tapped after blocks 4, 6, 8, 12 (0-based 3, 5, 7, 11),
/// a BEiT-style feature pyramid, an UperNet head and an auxiliary FCN head. <see cref="ClassNames"/> includes
/// "background" at index 0 (background is a learned class).
/// </summary>
public sealed record SSegPlusConfig
{
    public string BackboneName { get; init; } = "vit_base";
    public int EmbedDim { get; init; } = 768;
    public int Depth { get; init; } = 12;
    public int Heads { get; init; } = 12;
    public int PatchSize { get; init; } = 16;
    public double DropPath { get; init; } = 0.1;
    /// <summary>Training crop; the position embedding is stored for this grid.</summary>
    public int CropSize { get; init; } = 512;
    public int[] TapBlocks { get; init; } = [3, 5, 7, 11];
    public int HeadChannels { get; init; } = 768;
    public int[] PoolScales { get; init; } = [1, 2, 3, 6];
    public int AuxChannels { get; init; } = 256;
    /// <summary>Pyramid level the auxiliary head reads (2 = stride 16).</summary>
    public int AuxLevel { get; init; } = 2;
    public double AuxLossWeight { get; init; } = 0.4;
    public double DropoutRatio { get; init; } = 0.1;
    public int IgnoreIndex { get; init; } = 255;
    public string[] ClassNames { get; init; } = [];

    [JsonIgnore] public int NumClasses => ClassNames.Length;

    public VitConfig BackboneConfig() =>
        new(BackboneName, EmbedDim, Depth, Heads, PatchSize, ImageSize: CropSize, DropPath: DropPath);

    /// <summary>ViT-B/16 with the given classes (background first), the paper's setting.</summary>
    public static SSegPlusConfig VitBase16(IReadOnlyList<string> classNames, int cropSize = 512) =>
        new() { ClassNames = classNames.ToArray(), CropSize = cropSize };

    public void Validate()
    {
        if (ClassNames.Length < 2) throw new ArgumentException("S-Seg+ needs at least background and one foreground class.");
        if (TapBlocks.Length != 4) throw new ArgumentException($"The feature pyramid needs exactly 4 tapped blocks, got {TapBlocks.Length}.");
        if (TapBlocks.Any(b => b < 0 || b >= Depth)) throw new ArgumentException($"Tapped blocks [{string.Join(",", TapBlocks)}] outside 0..{Depth - 1}.");
        if (CropSize % PatchSize != 0) throw new ArgumentException($"Crop {CropSize} is not a multiple of the patch size {PatchSize}.");
        if (AuxLevel is < 0 or > 3) throw new ArgumentException($"Auxiliary level {AuxLevel} outside 0..3.");
    }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static SSegPlusConfig FromJson(string json, string source) =>
        JsonSerializer.Deserialize<SSegPlusConfig>(json, Json) ?? throw new InvalidDataException($"{source}: empty S-Seg+ config.");
}
