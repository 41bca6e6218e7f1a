using SSeg.Selftrain.Model;

namespace SSeg.Selftrain.Tests;

/// <summary>Small S-Seg+ shapes that keep CPU tests fast; the structure (12 blocks, taps 3,5,7,11) is the paper's.</summary>
internal static class TinyConfigs
{
    public static readonly string[] ThreeClasses = ["background", "cat", "dog"];

    /// <summary>Matches Fixtures/mae_tiny.pth: embed 16, 12 blocks, 2 heads, patch 16.</summary>
    public static SSegPlusConfig MaeTiny(int crop = 64, string[]? classes = null) => new()
    {
        BackboneName = "vit_mae_tiny", EmbedDim = 16, Depth = 12, Heads = 2, PatchSize = 16, CropSize = crop,
        HeadChannels = 16, AuxChannels = 8, ClassNames = classes ?? ThreeClasses,
    };
}
