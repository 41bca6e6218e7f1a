using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace SSeg.Shards.Tests;

internal static class TestMasks
{
    /// <summary>An 8-bit PNG of cluster ids: vertical bands 0..3 shifted by <paramref name="seed"/>.</summary>
    public static byte[] Png(int width, int height, int seed)
    {
        using var image = new Image<L8>(width, height);
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                image[x, y] = new L8((byte)((x * 4 / width + seed) % 4));
        using var output = new MemoryStream();
        image.SaveAsPng(output);
        return output.ToArray();
    }
}
