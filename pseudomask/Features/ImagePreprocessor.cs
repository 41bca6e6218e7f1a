using SSeg.Eval.Protocol;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace SSeg.Pseudomask;

/// <summary>An image ready for the network: CHW float pixels, ImageNet-normalised, sides multiples of the patch.</summary>
public sealed record PreparedImage(string Key, int Index, int Height, int Width, float[] Pixels);

/// <summary>
/// Decodes and resizes images so both sides are multiples of the patch size (aspect kept as far as rounding
/// allows), with the long side capped at <see cref="MaxSide"/> (never upscaled beyond it), then normalises with
/// the ImageNet mean/std as DINO's transforms do.
/// </summary>
public sealed class ImagePreprocessor(int patchSize, int maxSide)
{
    private static float[] Mean => NetworkInput.Mean;
    private static float[] Std => NetworkInput.Std;
    private static Configuration SingleThreaded => NetworkInput.SingleThreaded;

    public int PatchSize { get; } = patchSize > 0 ? patchSize : throw new ArgumentOutOfRangeException(nameof(patchSize));
    public int MaxSide { get; } = maxSide >= patchSize ? maxSide : throw new ArgumentOutOfRangeException(nameof(maxSide), $"max side {maxSide} is below the patch size {patchSize}");

    /// <summary>Target (height, width) for an image of the given size.</summary>
    public (int Height, int Width) TargetSize(int height, int width)
    {
        var scale = Math.Min(1.0, (double)MaxSide / Math.Max(height, width));
        int Round(double side) => Math.Clamp((int)Math.Round(side * scale / PatchSize) * PatchSize, PatchSize, MaxSide / PatchSize * PatchSize);
        return (Round(height), Round(width));
    }

    /// <summary>Decodes encoded bytes; throws <see cref="InvalidDataException"/> naming the key when they are not an image.</summary>
    public PreparedImage Prepare(string key, int index, byte[] encoded)
    {
        Image<Rgb24> image;
        try
        {
            image = Image.Load<Rgb24>(SingleThreaded, encoded);
        }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or NotSupportedException or ImageFormatException)
        {
            throw new InvalidDataException($"{key}: cannot decode image ({e.Message})", e);
        }
        using (image) return Prepare(key, index, image);
    }

    public PreparedImage Prepare(string key, int index, Image<Rgb24> image)
    {
        var (h, w) = TargetSize(image.Height, image.Width);
        Image<Rgb24> resized = image;
        if (h != image.Height || w != image.Width)
            resized = image.Clone(c => c.Resize(new ResizeOptions { Size = new Size(w, h), Mode = ResizeMode.Stretch, Sampler = KnownResamplers.Bicubic }));
        try
        {
            return new PreparedImage(key, index, h, w, ToNormalizedChw(resized));
        }
        finally
        {
            if (!ReferenceEquals(resized, image)) resized.Dispose();
        }
    }

    private static float[] ToNormalizedChw(Image<Rgb24> image)
    {
        var h = image.Height;
        var w = image.Width;
        var plane = h * w;
        var pixels = new float[3 * plane];
        var scale = new float[3];
        var offset = new float[3];
        for (var c = 0; c < 3; c++)
        {
            scale[c] = 1f / (255f * Std[c]);
            offset[c] = Mean[c] / Std[c];
        }
        image.ProcessPixelRows(accessor =>
        {
            for (var y = 0; y < h; y++)
            {
                var row = accessor.GetRowSpan(y);
                var o = y * w;
                for (var x = 0; x < w; x++)
                {
                    var p = row[x];
                    pixels[o + x] = p.R * scale[0] - offset[0];
                    pixels[plane + o + x] = p.G * scale[1] - offset[1];
                    pixels[2 * plane + o + x] = p.B * scale[2] - offset[2];
                }
            }
        });
        return pixels;
    }
}
