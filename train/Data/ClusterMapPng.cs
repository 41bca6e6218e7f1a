using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace SSeg.Train.Data;

/// <summary>Reads the mask column of mask shards: an 8-bit grayscale PNG of cluster ids (pseudomask's MaskPng format).</summary>
public static class ClusterMapPng
{
    public static (int Height, int Width, byte[] Ids) Decode(byte[] png)
    {
        using var image = Image.Load<L8>(png);
        var ids = new byte[image.Width * image.Height];
        image.CopyPixelDataTo(ids);
        return (image.Height, image.Width, ids);
    }

    public static byte[] Encode(int height, int width, byte[] ids)
    {
        using var image = Image.LoadPixelData<L8>(ids, width, height);
        using var stream = new MemoryStream();
        image.Save(stream, new SixLabors.ImageSharp.Formats.Png.PngEncoder
        {
            ColorType = SixLabors.ImageSharp.Formats.Png.PngColorType.Grayscale,
            BitDepth = SixLabors.ImageSharp.Formats.Png.PngBitDepth.Bit8,
        });
        return stream.ToArray();
    }
}
