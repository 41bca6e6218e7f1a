using SSeg.Eval.Protocol;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace SSeg.Train.Data;

/// <summary>
/// Applies one <see cref="CropBox"/> to an image and its cluster-id map (docs/method.md §2.3): the image is cropped,
/// resized bilinearly to cropSize² (ImageSharp's triangle filter, antialiased like PIL), flipped, and normalised
/// with the ImageNet mean/std into CHW floats; the map is sampled with nearest neighbour at the centres of a
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

    public static float[] CropImage(Image<Rgb24> image, CropBox box, int cropSize)
    {
        using var crop = image.Clone(x =>
            x.Crop(new Rectangle(box.Left, box.Top, box.Width, box.Height)).Resize(cropSize, cropSize, KnownResamplers.Triangle));
        var chw = new float[3 * cropSize * cropSize];
        int plane = cropSize * cropSize;
        float[] r = Normalized[0], g = Normalized[1], b = Normalized[2];
        // The flip is applied while the resized rows are written out (read right to left): the same values as
        // ImageSharp's Flip after the resize, without its extra pass over the image.
        bool flip = box.Flip;
        crop.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                ReadOnlySpan<Rgb24> row = rows.GetRowSpan(y);
                var red = chw.AsSpan(y * cropSize, row.Length);
                var green = chw.AsSpan(plane + y * cropSize, row.Length);
                var blue = chw.AsSpan(2 * plane + y * cropSize, row.Length);
                int last = row.Length - 1;
                for (int x = 0; x < row.Length; x++)
                {
                    var p = row[flip ? last - x : x];
                    red[x] = r[p.R];
                    green[x] = g[p.G];
                    blue[x] = b[p.B];
                }
            }
        });
        return chw;
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
