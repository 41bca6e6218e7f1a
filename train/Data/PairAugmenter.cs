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
    public static readonly float[] Mean = [0.485f, 0.456f, 0.406f];
    public static readonly float[] Std = [0.229f, 0.224f, 0.225f];

    public static float[] CropImage(Image<Rgb24> image, CropBox box, int cropSize)
    {
        using var crop = image.Clone(x =>
        {
            x.Crop(new Rectangle(box.Left, box.Top, box.Width, box.Height)).Resize(cropSize, cropSize, KnownResamplers.Triangle);
            if (box.Flip) x.Flip(FlipMode.Horizontal);
        });
        var chw = new float[3 * cropSize * cropSize];
        int plane = cropSize * cropSize;
        crop.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++)
                {
                    int o = y * cropSize + x;
                    chw[o] = (row[x].R / 255f - Mean[0]) / Std[0];
                    chw[plane + o] = (row[x].G / 255f - Mean[1]) / Std[1];
                    chw[2 * plane + o] = (row[x].B / 255f - Mean[2]) / Std[2];
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
