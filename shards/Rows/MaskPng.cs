using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace SSeg.Shards;

/// <summary>
/// The PNG of the mask column (<see cref="MaskRow.MaskPng"/>): 8-bit grayscale, one pixel per id, row-major
/// (pseudomask cluster ids; selftrain class labels with 255 = ignore). Every stage encodes and decodes the column
/// here so it has one definition. Decoding refuses other PNG kinds instead of converting them: a palette or colour
/// PNG converted to gray would yield luminances that read as wrong ids without any error.
/// </summary>
public static class MaskPng
{
    // Fixed settings make equal id maps byte-identical PNGs, so reruns and different batch sizes compare equal.
    private static readonly PngEncoder Encoder = new()
    {
        ColorType = PngColorType.Grayscale,
        BitDepth = PngBitDepth.Bit8,
        CompressionLevel = PngCompressionLevel.BestCompression,
    };

    /// <summary>Encodes <paramref name="height"/> x <paramref name="width"/> ids (row-major).</summary>
    public static byte[] Encode(int height, int width, ReadOnlySpan<byte> ids)
    {
        if (height <= 0 || width <= 0) throw new ArgumentOutOfRangeException(nameof(height), $"a mask is at least 1x1, not {width}x{height}");
        if (ids.Length != height * width) throw new ArgumentException($"{ids.Length} ids for a {width}x{height} mask", nameof(ids));
        using var image = Image.LoadPixelData<L8>(ids, width, height);
        using var stream = new MemoryStream();
        image.Save(stream, Encoder);
        return stream.ToArray();
    }

    /// <summary>
    /// Decodes a mask row and checks the PNG's size against the row's <see cref="MaskRow.Height"/> and
    /// <see cref="MaskRow.Width"/>. Errors name the row key (which names its shard) and <paramref name="dataset"/> when given.
    /// </summary>
    /// <exception cref="InvalidDataException">Not an 8-bit grayscale PNG, or not the row's size.</exception>
    public static (int Height, int Width, byte[] Ids) Decode(MaskRow row, string? dataset = null)
    {
        var source = dataset is null ? $"mask row {row.Key}" : $"{dataset}: mask row {row.Key}";
        var mask = Decode(row.MaskPng, source);
        if (mask.Height != row.Height || mask.Width != row.Width)
            throw new InvalidDataException($"{source}: mask PNG is {mask.Width}x{mask.Height}, the row says {row.Width}x{row.Height}.");
        return mask;
    }

    /// <summary>Decodes mask PNG bytes; <paramref name="source"/> names them in errors (e.g. the row key).</summary>
    /// <exception cref="InvalidDataException">Not a PNG, or not 8-bit grayscale.</exception>
    public static (int Height, int Width, byte[] Ids) Decode(byte[] png, string source)
    {
        Image<L8> image;
        IImageFormat format;
        try { image = Image.Load<L8>(png, out format); }
        catch (Exception e) when (e is ImageFormatException or NotSupportedException)
        {
            throw new InvalidDataException($"{source}: mask is not a readable PNG ({png.Length} bytes): {e.Message}", e);
        }
        using (image)
        {
            if (format is not PngFormat)
                throw new InvalidDataException($"{source}: mask is a {format.Name} image; the mask column holds PNGs.");
            var kind = image.Metadata.GetPngMetadata();
            if (kind.ColorType != PngColorType.Grayscale || kind.BitDepth != PngBitDepth.Bit8)
                throw new InvalidDataException(
                    $"{source}: mask PNG is {kind.ColorType} {(int?)kind.BitDepth}-bit; mask ids are stored as 8-bit grayscale.");
            var ids = new byte[image.Width * image.Height];
            image.CopyPixelDataTo(ids);
            return (image.Height, image.Width, ids);
        }
    }
}
