using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Eval.Datasets;
using SSeg.Eval.Metrics;

namespace SSeg.Selftrain.Labeling;

/// <summary>Label maps as 8-bit grayscale PNG bytes (value = class index, 255 = ignore).</summary>
public static class LabelPng
{
    public static byte[] Encode(LabelMap labels)
    {
        var bytes = new byte[labels.Labels.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            var v = labels.Labels[i];
            if (v is < 0 or > 255) throw new ArgumentException($"label {v} at pixel {i} does not fit in 8 bits");
            bytes[i] = (byte)v;
        }
        using var image = Image.LoadPixelData<L8>(bytes, labels.Width, labels.Height);
        using var stream = new MemoryStream();
        image.SaveAsPng(stream);
        return stream.ToArray();
    }

    /// <summary>Raw 8-bit label values of a PNG (palette index or gray value).</summary>
    public static (int Width, int Height, byte[] Labels) Decode(byte[] png, string what)
    {
        IndexedPng.Raster raster;
        try
        {
            using var stream = new MemoryStream(png);
            raster = IndexedPng.Read(stream);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new InvalidDataException($"{what}: bad label PNG: {e.Message}", e);
        }
        if (raster.ColorType is not (0 or 3) || raster.BitDepth > 8)
            throw new InvalidDataException($"{what}: label PNG must be 8-bit grayscale or palette (colour type {raster.ColorType}, depth {raster.BitDepth}).");
        return (raster.Width, raster.Height, raster.Samples.Select(v => (byte)v).ToArray());
    }
}
