using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace SSeg.Shards;

/// <summary>Renders an image with its cluster-id mask blended on top, as PNG (for export and the dashboard).</summary>
public static class MaskOverlay
{
    private static readonly Rgb24[] Palette = BuildPalette();

    /// <summary>
    /// Decodes <paramref name="imageBytes"/> (JPEG/PNG) and <paramref name="maskPng"/> (<see cref="MaskPng"/> ids at grid
    /// resolution), upsamples the mask with nearest neighbour to the image size, and blends one colour per id.
    /// </summary>
    /// <exception cref="InvalidDataException">Either input cannot be decoded.</exception>
    public static byte[] RenderPng(byte[] imageBytes, byte[] maskPng, float alpha = 0.5f)
    {
        using var image = Decode<Rgb24>(imageBytes, "image");
        var (height, width, ids) = MaskPng.Decode(maskPng, "overlay mask");
        using var mask = Image.LoadPixelData<L8>(ids, width, height);
        mask.Mutate(m => m.Resize(new ResizeOptions { Size = new Size(image.Width, image.Height), Sampler = KnownResamplers.NearestNeighbor, Mode = ResizeMode.Stretch }));
        image.ProcessPixelRows(mask, (imageRows, maskRows) =>
        {
            for (var y = 0; y < imageRows.Height; y++)
            {
                var row = imageRows.GetRowSpan(y);
                var ids = maskRows.GetRowSpan(y);
                for (var x = 0; x < row.Length; x++)
                {
                    var c = Palette[ids[x].PackedValue];
                    row[x] = new Rgb24(Blend(row[x].R, c.R, alpha), Blend(row[x].G, c.G, alpha), Blend(row[x].B, c.B, alpha));
                }
            }
        });
        return ToPng(image);
    }

    /// <summary>The colour of cluster id <paramref name="id"/> in overlays, as CSS hex (for legends).</summary>
    public static string CssColorOf(int id)
    {
        var c = Palette[Math.Clamp(id, 0, 255)];
        return $"#{c.R:x2}{c.G:x2}{c.B:x2}";
    }

    /// <summary>Re-encodes any decodable image as PNG.</summary>
    public static byte[] ToPng(byte[] imageBytes)
    {
        using var image = Decode<Rgb24>(imageBytes, "image");
        return ToPng(image);
    }

    private static byte[] ToPng(Image image)
    {
        using var output = new MemoryStream();
        image.Save(output, new PngEncoder());
        return output.ToArray();
    }

    private static Image<T> Decode<T>(byte[] bytes, string what) where T : unmanaged, IPixel<T>
    {
        try { return Image.Load<T>(bytes); }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or NotSupportedException)
        {
            throw new InvalidDataException($"Cannot decode the {what} ({bytes.Length} bytes): {e.Message}", e);
        }
    }

    private static byte Blend(byte a, byte b, float alpha) => (byte)Math.Clamp(MathF.Round(a * (1 - alpha) + b * alpha), 0, 255);

    /// <summary>256 well-separated colours (golden-angle hues).</summary>
    private static Rgb24[] BuildPalette()
    {
        var palette = new Rgb24[256];
        for (var i = 0; i < 256; i++)
        {
            var hue = (i * 137.508f) % 360f;
            palette[i] = HsvToRgb(hue, i % 2 == 0 ? 0.85f : 0.6f, i % 3 == 0 ? 0.95f : 0.8f);
        }
        return palette;
    }

    private static Rgb24 HsvToRgb(float h, float s, float v)
    {
        var c = v * s;
        var x = c * (1 - Math.Abs(h / 60f % 2 - 1));
        var m = v - c;
        var (r, g, b) = (h / 60f) switch
        {
            < 1 => (c, x, 0f), < 2 => (x, c, 0f), < 3 => (0f, c, x), < 4 => (0f, x, c), < 5 => (x, 0f, c), _ => (c, 0f, x),
        };
        return new Rgb24((byte)((r + m) * 255), (byte)((g + m) * 255), (byte)((b + m) * 255));
    }
}
