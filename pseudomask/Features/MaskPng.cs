using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace SSeg.Pseudomask;

/// <summary>A cluster-id map at patch-grid resolution: row-major bytes, ids 0..Segments-1.</summary>
public sealed record ClusterMap(int Height, int Width, byte[] Ids, int Segments);

/// <summary>
/// Mask encoding of mask shards: an 8-bit grayscale PNG whose pixel values are cluster ids. Ids are renumbered
/// in order of first appearance in raster order, so equal partitions give byte-identical PNGs.
/// </summary>
public static class MaskPng
{
    private static readonly PngEncoder Encoder = new()
    {
        ColorType = PngColorType.Grayscale,
        BitDepth = PngBitDepth.Bit8,
        CompressionLevel = PngCompressionLevel.BestCompression,
    };

    /// <summary>Renumbers raw cluster labels (any values &lt; 256) by first appearance.</summary>
    public static ClusterMap Compact(int height, int width, ReadOnlySpan<long> labels)
    {
        if (labels.Length != height * width) throw new ArgumentException($"{labels.Length} labels for a {height}x{width} grid");
        Span<int> map = stackalloc int[256];
        map.Fill(-1);
        var ids = new byte[labels.Length];
        var next = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var raw = (int)labels[i];
            if ((uint)raw > 255) throw new ArgumentOutOfRangeException(nameof(labels), $"cluster id {raw} does not fit a byte");
            if (map[raw] < 0) map[raw] = next++;
            ids[i] = (byte)map[raw];
        }
        return new ClusterMap(height, width, ids, next);
    }

    public static byte[] Encode(ClusterMap map)
    {
        using var image = Image.LoadPixelData<L8>(map.Ids, map.Width, map.Height);
        using var stream = new MemoryStream();
        image.Save(stream, Encoder);
        return stream.ToArray();
    }

    public static ClusterMap Decode(byte[] png)
    {
        using var image = Image.Load<L8>(png);
        var ids = new byte[image.Width * image.Height];
        image.CopyPixelDataTo(ids);
        var segments = ids.Length == 0 ? 0 : ids.Distinct().Count();
        return new ClusterMap(image.Height, image.Width, ids, segments);
    }
}
