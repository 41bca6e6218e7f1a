using System.Buffers;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace SSeg.Train.Data;

/// <summary>
/// A decoded image as interleaved RGB bytes, row after row (stride 3 × <see cref="Width"/>), in a buffer rented from
/// the shared pool and returned on dispose: a loader decodes thousands of megabyte-sized images a second, and fresh
/// arrays of that size would each be a large-object allocation.
/// </summary>
public sealed class RgbPixels : IDisposable
{
    private byte[]? _buffer;

    private RgbPixels(byte[] buffer, int width, int height)
    {
        _buffer = buffer;
        Width = width;
        Height = height;
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>The pixels: 3 × Width × Height bytes.</summary>
    public Span<byte> Bytes => (_buffer ?? throw new ObjectDisposedException(nameof(RgbPixels))).AsSpan(0, 3 * Width * Height);

    /// <summary>Row <paramref name="y"/>: 3 × Width bytes.</summary>
    public ReadOnlySpan<byte> Row(int y) => Bytes.Slice(3 * Width * y, 3 * Width);

    /// <summary>An uninitialised Width × Height image to decode into.</summary>
    public static RgbPixels Rent(int width, int height)
    {
        if (width < 1 || height < 1) throw new ArgumentException($"an image of {width}×{height} pixels has no pixels");
        return new RgbPixels(ArrayPool<byte>.Shared.Rent(checked(3 * width * height)), width, height);
    }

    /// <summary>A copy of an ImageSharp image's pixels.</summary>
    public static RgbPixels From(Image<Rgb24> image)
    {
        var pixels = Rent(image.Width, image.Height);
        image.CopyPixelDataTo(pixels.Bytes);
        return pixels;
    }

    public void Dispose()
    {
        if (_buffer is { } buffer) ArrayPool<byte>.Shared.Return(buffer);
        _buffer = null;
    }
}
