using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Eval.Datasets;
using SSeg.Eval.Metrics;

namespace SSeg.Models.Tests;

/// <summary>
/// Seeded scenes for the precision tests: a shaded background with a few coloured rectangles and ellipses plus pixel
/// noise, each shape labelled with a VOC class, so that clusters have real boundaries to disagree on.
/// </summary>
internal static class PrecisionScenes
{
    public static (Image<Rgb24> Image, LabelMap Labels) Scene(int seed, int width, int height)
    {
        var rng = new Random(seed);
        var image = new Image<Rgb24>(width, height);
        var labels = new LabelMap(width, height);
        var (br, bg, bb) = (rng.Next(40, 200), rng.Next(40, 200), rng.Next(40, 200));
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                image[x, y] = new Rgb24((byte)(br + x * 30 / width), (byte)bg, (byte)(bb + y * 30 / height));
        var shapes = rng.Next(2, 5);
        for (var s = 0; s < shapes; s++)
        {
            var cls = rng.Next(1, 21);
            var color = new Rgb24((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256));
            int x0 = rng.Next(0, width * 2 / 3), y0 = rng.Next(0, height * 2 / 3);
            int x1 = Math.Min(width, x0 + rng.Next(width / 4, width / 2)), y1 = Math.Min(height, y0 + rng.Next(height / 4, height / 2));
            var ellipse = rng.Next(2) == 1;
            double cx = (x0 + x1) / 2.0, cy = (y0 + y1) / 2.0, rx = (x1 - x0) / 2.0, ry = (y1 - y0) / 2.0;
            for (var y = y0; y < y1; y++)
                for (var x = x0; x < x1; x++)
                {
                    if (ellipse && Math.Pow((x + 0.5 - cx) / rx, 2) + Math.Pow((y + 0.5 - cy) / ry, 2) > 1) continue;
                    image[x, y] = color;
                    labels[x, y] = cls;
                }
        }
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var p = image[x, y];
                int Noise(byte v) => Math.Clamp(v + rng.Next(-12, 13), 0, 255);
                image[x, y] = new Rgb24((byte)Noise(p.R), (byte)Noise(p.G), (byte)Noise(p.B));
            }
        return (image, labels);
    }

    /// <summary>A VOC2012-layout folder with <paramref name="count"/> scenes in its val split; returns the VOCdevkit parent.</summary>
    public static string WriteVoc(string root, int count, int width, int height)
    {
        var voc = Path.Combine(root, "VOCdevkit", "VOC2012");
        Directory.CreateDirectory(Path.Combine(voc, "JPEGImages"));
        Directory.CreateDirectory(Path.Combine(voc, "SegmentationClass"));
        Directory.CreateDirectory(Path.Combine(voc, "ImageSets", "Segmentation"));
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var id = $"2007_{i:D6}";
            var (image, labels) = Scene(1000 + i, width, height);
            using (image)
                image.SaveAsPng(Path.Combine(voc, "JPEGImages", id + ".jpg"));   // VOC reads by content, PNG keeps the pixels exact
            IndexedPng.Write(Path.Combine(voc, "SegmentationClass", id + ".png"), labels, IndexedPng.VocPalette());
            ids.Add(id);
        }
        File.WriteAllLines(Path.Combine(voc, "ImageSets", "Segmentation", "val.txt"), ids);
        return root;
    }
}
