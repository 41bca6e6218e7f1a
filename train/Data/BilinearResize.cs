using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace SSeg.Train.Data;

/// <summary>
/// Pillow's antialiased bilinear resize (<c>Image.resize(size, BILINEAR)</c>, libImaging's ImagingResample) of a
/// rectangle of an RGB image, byte for byte: what torchvision's RandomResizedCrop does to a PIL image after its
/// integer crop, which the method's augmentation follows. Separable: a horizontal pass over only the rows the vertical
/// pass reads, rounded to bytes, then a vertical pass. Each axis uses a triangle kernel whose support is widened by the
/// downscale factor, weights normalised to sum 1 and held in fixed point with 22 fractional bits (32 bits less 8 for
/// the value and 2 of headroom), sums rounded half up and clipped to 0..255. A pass Pillow skips because the size does
/// not change is an identity here (weights 1 and 0), so running both passes always gives the same bytes.
/// The optional mirror is applied when the horizontal pass writes its columns; the vertical pass treats columns alike,
/// so the result equals a horizontal flip after the resize.
/// </summary>
public static class BilinearResize
{
    private const int PrecisionBits = 32 - 8 - 2;
    private const int Half = 1 << (PrecisionBits - 1);

    /// <summary>The <paramref name="width"/>×<paramref name="height"/> rectangle at (<paramref name="left"/>,
    /// <paramref name="top"/>) of <paramref name="image"/>, resized to outWidth×outHeight and optionally mirrored:
    /// RGB bytes, row-major and interleaved (outWidth × outHeight × 3).</summary>
    public static byte[] Resize(RgbPixels image, int left, int top, int width, int height, int outWidth, int outHeight, bool mirror) =>
        Resize(image, left, top, width, height, outWidth, outHeight, mirror, Avx2.IsSupported);

    /// <summary><see cref="Resize(RgbPixels, int, int, int, int, int, int, bool)"/> with the AVX2 horizontal pass
    /// allowed or not, so tests pin both passes to Pillow on any CPU.</summary>
    internal static byte[] Resize(RgbPixels image, int left, int top, int width, int height, int outWidth, int outHeight, bool mirror, bool gather)
    {
        gather &= Avx2.IsSupported;
        if (width < 1 || height < 1 || outWidth < 1 || outHeight < 1)
            throw new ArgumentException($"cannot resize a {width}×{height} rectangle to {outWidth}×{outHeight}");
        if (left < 0 || top < 0 || left + width > image.Width || top + height > image.Height)
            throw new ArgumentException($"rectangle {width}×{height} at ({left}, {top}) is not inside the {image.Width}×{image.Height} image");
        var columns = Kernel.Of(width, outWidth);
        var rows = Kernel.Of(height, outHeight);
        // Only the source rows some output row reads go through the horizontal pass.
        int firstRow = rows.Start[0], lastRow = rows.Start[outHeight - 1] + rows.Count[outHeight - 1];
        int rowBytes = 3 * outWidth;
        var temporary = ArrayPool<byte>.Shared.Rent((lastRow - firstRow) * rowBytes);
        var padded = ArrayPool<byte>.Shared.Rent(3 * width + 1);
        var result = new byte[outHeight * rowBytes];
        try
        {
            for (int y = firstRow; y < lastRow; y++)
            {
                var source = image.Row(top + y).Slice(3 * left, 3 * width);
                var destination = temporary.AsSpan((y - firstRow) * rowBytes, rowBytes);
                if (gather)
                {
                    // The gathers read 4 bytes per pixel: a copy of the row with one byte more keeps the last in bounds.
                    source.CopyTo(padded);
                    HorizontalGathered(padded, columns, destination, mirror);
                }
                else
                    Horizontal(source, columns, destination, mirror);
            }
            Vertical(temporary, rowBytes, rows, firstRow, result);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(temporary);
            ArrayPool<byte>.Shared.Return(padded);
        }
        return result;
    }

    // The kernels are compiled optimised at once: their first calls (the first images of a run) would otherwise
    // run unoptimised code, several times slower, until tiered compilation replaced it.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Horizontal(ReadOnlySpan<byte> source, Kernel kernel, Span<byte> destination, bool mirror)
    {
        int size = kernel.Start.Length, taps = kernel.Taps;
        if (destination.Length < 3 * size || source.Length < 3 * (kernel.Start[size - 1] + kernel.Count[size - 1]))
            throw new ArgumentException("row buffers do not fit the kernel");
        // Unchecked reads: every (start, count) lies inside the source row (checked above for the last, which ends
        // furthest right), and this loop is most of the resize's time.
        ref byte row = ref MemoryMarshal.GetReference(source);
        ref int weights = ref MemoryMarshal.GetArrayDataReference(kernel.Weights);
        ref byte output = ref MemoryMarshal.GetReference(destination);
        for (int x = 0; x < size; x++)
        {
            int r = Half, g = Half, b = Half;
            ref byte pixel = ref Unsafe.Add(ref row, 3 * kernel.Start[x]);
            ref int k = ref Unsafe.Add(ref weights, x * taps);
            for (int i = 0, n = kernel.Count[x]; i < n; i++)
            {
                int w = Unsafe.Add(ref k, i);
                ref byte p = ref Unsafe.Add(ref pixel, 3 * i);
                r += p * w;
                g += Unsafe.Add(ref p, 1) * w;
                b += Unsafe.Add(ref p, 2) * w;
            }
            ref byte o = ref Unsafe.Add(ref output, 3 * (mirror ? size - 1 - x : x));
            o = Clip(r);
            Unsafe.Add(ref o, 1) = Clip(g);
            Unsafe.Add(ref o, 2) = Clip(b);
        }
    }

    /// <summary>The horizontal pass eight output pixels at a time: for each tap, one gather reads the eight source
    /// pixels (4 bytes each, the fourth ignored), whose channels are multiplied by the eight weights in 32-bit lanes,
    /// so the sums are the scalar pass's exactly. <paramref name="source"/> must have one byte after its last pixel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void HorizontalGathered(byte[] source, Kernel kernel, Span<byte> destination, bool mirror)
    {
        int size = kernel.Start.Length, taps = kernel.Taps;
        if (source.Length < 3 * (kernel.Start[size - 1] + kernel.Count[size - 1]) + 1 || destination.Length < 3 * size)
            throw new ArgumentException("row buffers do not fit the kernel");
        var low = Vector256.Create(0xFF);
        Span<int> red = stackalloc int[8], green = stackalloc int[8], blue = stackalloc int[8];
        fixed (byte* row = source)
        fixed (int* offsets = kernel.GatherOffsets)
        fixed (int* weights = kernel.GatherWeights)
        {
            for (int group = 0, x0 = 0; x0 < size; group++, x0 += 8)
            {
                Vector256<int> r = Vector256.Create(Half), g = r, b = r;
                int at = group * taps * 8;
                for (int i = 0, n = kernel.GroupTaps[group]; i < n; i++, at += 8)
                {
                    var pixels = Avx2.GatherVector256((int*)row, Avx.LoadVector256(offsets + at), 1);
                    var w = Avx.LoadVector256(weights + at);
                    r += (pixels & low) * w;
                    g += (Vector256.ShiftRightLogical(pixels, 8) & low) * w;
                    b += (Vector256.ShiftRightLogical(pixels, 16) & low) * w;
                }
                ToByteRange(r).AsInt32().CopyTo(red);
                ToByteRange(g).AsInt32().CopyTo(green);
                ToByteRange(b).AsInt32().CopyTo(blue);
                for (int j = 0, count = Math.Min(8, size - x0); j < count; j++)
                {
                    int o = 3 * (mirror ? size - 1 - x0 - j : x0 + j);
                    destination[o] = (byte)red[j];
                    destination[o + 1] = (byte)green[j];
                    destination[o + 2] = (byte)blue[j];
                }
            }
        }
    }

    /// <summary>Each output row is a weighted sum of whole intermediate rows, so the bytes of a row are summed
    /// independently (32 at a time where the hardware has 256-bit vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Vertical(byte[] source, int rowBytes, Kernel kernel, int firstRow, byte[] destination)
    {
        int taps = kernel.Taps;
        for (int y = 0; y < kernel.Start.Length; y++)
        {
            int start = kernel.Start[y] - firstRow;
            var k = kernel.Weights.AsSpan(y * taps, kernel.Count[y]);
            var output = destination.AsSpan(y * rowBytes, rowBytes);
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                ref byte origin = ref source[start * rowBytes];
                for (; i + Vector256<byte>.Count <= rowBytes; i += Vector256<byte>.Count)
                {
                    Vector256<int> s0 = Vector256.Create(Half), s1 = s0, s2 = s0, s3 = s0;
                    for (int j = 0; j < k.Length; j++)
                    {
                        var bytes = Vector256.LoadUnsafe(ref origin, (nuint)(j * rowBytes + i));
                        var (low, high) = Vector256.Widen(bytes);
                        var (l0, l1) = Vector256.Widen(low);
                        var (h0, h1) = Vector256.Widen(high);
                        var w = Vector256.Create(k[j]);
                        s0 += l0.AsInt32() * w;
                        s1 += l1.AsInt32() * w;
                        s2 += h0.AsInt32() * w;
                        s3 += h1.AsInt32() * w;
                    }
                    var words = Vector256.Narrow(ToByteRange(s0), ToByteRange(s1));
                    var words2 = Vector256.Narrow(ToByteRange(s2), ToByteRange(s3));
                    Vector256.Narrow(words, words2).StoreUnsafe(ref MemoryMarshal.GetReference(output), (nuint)i);
                }
            }
            for (; i < rowBytes; i++)
            {
                int s = Half;
                for (int j = 0; j < k.Length; j++) s += source[(start + j) * rowBytes + i] * k[j];
                output[i] = Clip(s);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte Clip(int sum) => (byte)Math.Clamp(sum >> PrecisionBits, 0, 255);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> ToByteRange(Vector256<int> sum) =>
        Vector256.Min(Vector256.Max(Vector256.ShiftRightArithmetic(sum, PrecisionBits), Vector256<int>.Zero), Vector256.Create(255)).AsUInt32();

    /// <summary>One axis's resampling: for each output position, the first source index, the number of source
    /// pixels read and their fixed-point weights (<see cref="Taps"/> slots per position).</summary>
    private sealed class Kernel
    {
        public required int[] Start { get; init; }
        public required int[] Count { get; init; }
        public required int[] Weights { get; init; }
        public required int Taps { get; init; }
        /// <summary>For groups of eight output positions, tap by tap: the eight source byte offsets (3 × pixel) and
        /// weights, a tap past a position's count reading its first pixel with weight 0.</summary>
        public required int[] GatherOffsets { get; init; }
        public required int[] GatherWeights { get; init; }
        /// <summary>Per group of eight: the largest tap count in it.</summary>
        public required int[] GroupTaps { get; init; }

        /// <summary>Pillow's coefficients for resampling inSize pixels to outSize with the bilinear (triangle, support 1)
        /// filter; the arithmetic is done in doubles in the same order, so the rounded weights are the same integers.</summary>
        public static Kernel Of(int inSize, int outSize)
        {
            double scale = (double)(float)inSize / outSize;
            double filterScale = Math.Max(scale, 1.0);
            double support = filterScale;   // the triangle's support of 1, widened when downscaling
            int taps = (int)Math.Ceiling(support) * 2 + 1;
            var start = new int[outSize];
            var count = new int[outSize];
            var weights = new int[outSize * taps];
            var k = new double[taps];
            double inverse = 1.0 / filterScale;
            for (int x = 0; x < outSize; x++)
            {
                double center = (x + 0.5) * scale;
                int min = Math.Max((int)(center - support + 0.5), 0);
                int n = Math.Min((int)(center + support + 0.5), inSize) - min;
                double total = 0;
                for (int i = 0; i < n; i++)
                {
                    k[i] = Triangle((i + min - center + 0.5) * inverse);
                    total += k[i];
                }
                for (int i = 0; i < n; i++)
                {
                    double w = total != 0 ? k[i] / total : k[i];
                    weights[x * taps + i] = w < 0 ? (int)(-0.5 + w * (1 << PrecisionBits)) : (int)(0.5 + w * (1 << PrecisionBits));
                }
                start[x] = min;
                count[x] = n;
            }
            int groups = (outSize + 7) / 8;
            var gatherOffsets = new int[groups * taps * 8];
            var gatherWeights = new int[groups * taps * 8];
            var groupTaps = new int[groups];
            for (int x = 0; x < outSize; x++)
            {
                int group = x / 8, lane = x % 8;
                groupTaps[group] = Math.Max(groupTaps[group], count[x]);
                for (int i = 0; i < taps; i++)
                {
                    int slot = (group * taps + i) * 8 + lane;
                    gatherOffsets[slot] = 3 * (start[x] + (i < count[x] ? i : 0));
                    gatherWeights[slot] = i < count[x] ? weights[x * taps + i] : 0;
                }
            }
            return new Kernel
            {
                Start = start, Count = count, Weights = weights, Taps = taps,
                GatherOffsets = gatherOffsets, GatherWeights = gatherWeights, GroupTaps = groupTaps,
            };
        }

        private static double Triangle(double x)
        {
            x = Math.Abs(x);
            return x < 1.0 ? 1.0 - x : 0.0;
        }
    }
}
