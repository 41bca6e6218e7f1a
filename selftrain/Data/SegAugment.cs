namespace SSeg.Selftrain.Data;

/// <summary>
/// The mmsegmentation training pipeline on an image+label pair (docs/method.md §8.3): random keep-ratio rescale of
/// (2048, 512) by a ratio in [0.5, 2], random crop with cat_max_ratio, horizontal flip, photometric
/// distortion. Padding to the crop (image 0 after normalization, labels 255) happens when batching
/// (<see cref="TrainBatch"/>). Deterministic for a given <see cref="Random"/>.
/// </summary>
public static class SegAugment
{
    public static SegSample Apply(SegSample sample, AugmentOptions options, Random rng)
    {
        sample.Validate("augment input");
        var resized = RandomRescale(sample, options, rng);
        var cropped = RandomCrop(resized, options, rng);
        var flipped = rng.NextDouble() < options.FlipProbability ? FlipHorizontal(cropped) : cropped;
        // RandomRescale always allocates, so the distortion never touches the caller's arrays.
        if (options.PhotometricDistortion) PhotometricDistortion.Apply(flipped.Rgb, rng);
        return flipped;
    }

    public static SegSample RandomRescale(SegSample s, AugmentOptions o, Random rng)
    {
        var ratio = o.RatioMin + (o.RatioMax - o.RatioMin) * rng.NextDouble();
        var (w, h) = PixelResize.RescaleSize(s.Width, s.Height, o.ScaleLong * ratio, o.ScaleShort * ratio);
        return new SegSample(w, h, PixelResize.Bilinear(s.Rgb, s.Width, s.Height, 3, w, h), PixelResize.Nearest(s.Labels, s.Width, s.Height, w, h));
    }

    /// <summary>
    /// mmseg RandomCrop: draw a crop; up to 10 times, if its labels (ignore excluded) are a single class or one
    /// class covers ≥ cat_max_ratio of them, draw another; the last draw is kept.
    /// </summary>
    public static SegSample RandomCrop(SegSample s, AugmentOptions o, Random rng)
    {
        var box = DrawBox(s, o.CropSize, rng);
        if (o.CatMaxRatio < 1.0)
        {
            for (var attempt = 0; attempt < 10; attempt++)
            {
                if (IsMixedEnough(s, box, o)) break;
                box = DrawBox(s, o.CropSize, rng);
            }
        }
        return Crop(s, box);
    }

    public static SegSample FlipHorizontal(SegSample s)
    {
        var rgb = new byte[s.Rgb.Length];
        var labels = new byte[s.Labels.Length];
        for (var y = 0; y < s.Height; y++)
            for (var x = 0; x < s.Width; x++)
            {
                int src = y * s.Width + x, dst = y * s.Width + (s.Width - 1 - x);
                labels[dst] = s.Labels[src];
                rgb[3 * dst] = s.Rgb[3 * src];
                rgb[3 * dst + 1] = s.Rgb[3 * src + 1];
                rgb[3 * dst + 2] = s.Rgb[3 * src + 2];
            }
        return new SegSample(s.Width, s.Height, rgb, labels);
    }

    private readonly record struct Box(int X, int Y, int Width, int Height);

    private static Box DrawBox(SegSample s, int crop, Random rng)
    {
        int marginH = Math.Max(s.Height - crop, 0), marginW = Math.Max(s.Width - crop, 0);
        int y = rng.Next(marginH + 1), x = rng.Next(marginW + 1);
        return new Box(x, y, Math.Min(crop, s.Width - x), Math.Min(crop, s.Height - y));
    }

    private static bool IsMixedEnough(SegSample s, Box box, AugmentOptions o)
    {
        var counts = new long[256];
        for (var y = box.Y; y < box.Y + box.Height; y++)
            for (var x = box.X; x < box.X + box.Width; x++)
                counts[s.Labels[y * s.Width + x]]++;
        counts[o.IgnoreIndex] = 0;
        long total = 0, max = 0;
        var classes = 0;
        foreach (var c in counts)
        {
            if (c == 0) continue;
            classes++; total += c; max = Math.Max(max, c);
        }
        return classes > 1 && (double)max / total < o.CatMaxRatio;
    }

    private static SegSample Crop(SegSample s, Box b)
    {
        if (b.X == 0 && b.Y == 0 && b.Width == s.Width && b.Height == s.Height) return s;
        var rgb = new byte[b.Width * b.Height * 3];
        var labels = new byte[b.Width * b.Height];
        for (var y = 0; y < b.Height; y++)
        {
            Array.Copy(s.Rgb, ((b.Y + y) * s.Width + b.X) * 3, rgb, y * b.Width * 3, b.Width * 3);
            Array.Copy(s.Labels, (b.Y + y) * s.Width + b.X, labels, y * b.Width, b.Width);
        }
        return new SegSample(b.Width, b.Height, rgb, labels);
    }
}
