using SSeg.Eval.Protocol;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace SSeg.Train.Data;

/// <summary>
/// Applies one <see cref="CropBox"/> to an image and its cluster-id map (docs/method.md §2.3): the image is cropped,
/// resized to cropSize² with Pillow's antialiased bilinear filter (<see cref="BilinearResize"/>, as torchvision's
/// RandomResizedCrop on PIL images) and flipped, and normalised
/// with the ImageNet mean/std into CHW floats when the batch is collated; the map is sampled with nearest neighbour at the centres of a
/// maskSize² grid over the same source rectangle, so image and mask stay aligned whatever the map's resolution.
/// </summary>
public static class PairAugmenter
{
    public static float[] Mean => NetworkInput.Mean;
    public static float[] Std => NetworkInput.Std;

    /// <summary>ImageSharp settings for decoding and cropping one training image (see <see cref="NetworkInput.SingleThreaded"/>).</summary>
    public static Configuration SingleThreaded => NetworkInput.SingleThreaded;

    /// <summary>(v / 255 − mean) / std for every byte value and channel: the same floats as computing it per pixel.</summary>
    private static readonly float[][] Normalized = Enumerable.Range(0, 3)
        .Select(c => Enumerable.Range(0, 256).Select(v => (v / 255f - Mean[c]) / Std[c]).ToArray()).ToArray();

    /// <summary>The crop, resized to cropSize² and flipped: RGB bytes, row-major and interleaved (cropSize² × 3).
    /// Normalisation is left to <see cref="Normalize"/>, which writes the floats where they are used (the batch
    /// tensor), so a sample holds a quarter of the memory of its floats and they are written once.</summary>
    public static byte[] CropImage(RgbPixels image, CropBox box, int cropSize) =>
        BilinearResize.Resize(image, box.Left, box.Top, box.Width, box.Height, cropSize, cropSize, mirror: box.Flip);

    /// <summary>ImageNet-normalised CHW floats of interleaved RGB bytes: (v / 255 − mean) / std per channel.</summary>
    public static void Normalize(ReadOnlySpan<byte> rgb, Span<float> chw)
    {
        if (rgb.Length % 3 != 0 || chw.Length != rgb.Length)
            throw new ArgumentException($"{rgb.Length} RGB bytes cannot fill {chw.Length} CHW floats");
        int plane = rgb.Length / 3;
        float[] r = Normalized[0], g = Normalized[1], b = Normalized[2];
        var red = chw[..plane];
        var green = chw.Slice(plane, plane);
        var blue = chw.Slice(2 * plane, plane);
        for (int p = 0, i = 0; p < plane; p++, i += 3)
        {
            red[p] = r[rgb[i]];
            green[p] = g[rgb[i + 1]];
            blue[p] = b[rgb[i + 2]];
        }
    }

    /// <summary>Nearest-neighbour crop/resize/flip of a mapHeight×mapWidth id map that covers an imageWidth×imageHeight image.</summary>
    public static byte[] CropMask(byte[] ids, int mapHeight, int mapWidth, int imageWidth, int imageHeight, CropBox box, int maskSize)
    {
        var result = new byte[maskSize * maskSize];
        double sy = (double)mapHeight / imageHeight, sx = (double)mapWidth / imageWidth;
        for (int y = 0; y < maskSize; y++)
        {
            double srcY = box.Top + (y + 0.5) * box.Height / maskSize;
            int my = Math.Clamp((int)Math.Floor(srcY * sy), 0, mapHeight - 1);
            for (int x = 0; x < maskSize; x++)
            {
                int outX = box.Flip ? maskSize - 1 - x : x;
                double srcX = box.Left + (x + 0.5) * box.Width / maskSize;
                int mx = Math.Clamp((int)Math.Floor(srcX * sx), 0, mapWidth - 1);
                result[y * maskSize + outX] = ids[my * mapWidth + mx];
            }
        }
        return result;
    }
}
