using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace SSeg.Train.Data;

/// <summary>Decodes a training image's stored bytes to RGB: JPEGs with <see cref="TurboJpeg"/> when the library is
/// there, everything else (PNG, CMYK JPEGs, or no libturbojpeg) with ImageSharp.</summary>
public static class TrainImageDecoder
{
    /// <summary>Which decoder JPEGs get on this host, for logs and <c>doctor</c>.</summary>
    public static string JpegDecoder => TurboJpeg.IsAvailable
        ? $"{TurboJpeg.LibraryName} (libjpeg-turbo, as Pillow)"
        : $"ImageSharp ({TurboJpeg.LibraryName} not found: install libturbojpeg0 for Pillow's pixels and about three times the decode speed)";

    /// <summary>True when JPEGs are decoded by libjpeg-turbo.</summary>
    public static bool UsesTurboJpeg => TurboJpeg.IsAvailable;

    public static RgbPixels Decode(byte[] bytes)
    {
        // A JPEG starts with the SOI marker FF D8.
        if (bytes.Length > 2 && bytes[0] == 0xFF && bytes[1] == 0xD8 && TurboJpeg.TryDecode(bytes) is { } pixels) return pixels;
        using var image = Image.Load<Rgb24>(PairAugmenter.SingleThreaded, bytes);
        return RgbPixels.From(image);
    }
}
