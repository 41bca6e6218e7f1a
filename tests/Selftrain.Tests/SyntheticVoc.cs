using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Eval.Datasets;
using SSeg.Eval.Metrics;

namespace SSeg.Selftrain.Tests;

/// <summary>
/// A generated Pascal VOC 2012 folder: grey textured scenes with red discs (VOC class 8, "cat") and blue
/// rectangles (class 12, "dog"), JPEG images, palette label PNGs with a 255 border ring around each object,
/// and train/val id lists.
/// </summary>
internal static class SyntheticVoc
{
    public const int Cat = 8, Dog = 12;

    public static string Create(string root, int train, int val, int seed)
    {
        var voc = Path.Combine(root, "VOCdevkit", "VOC2012");
        Directory.CreateDirectory(Path.Combine(voc, "JPEGImages"));
        Directory.CreateDirectory(Path.Combine(voc, "SegmentationClass"));
        Directory.CreateDirectory(Path.Combine(voc, "ImageSets", "Segmentation"));
        var rng = new Random(seed);
        var trainIds = new List<string>();
        var valIds = new List<string>();
        for (var i = 0; i < train + val; i++)
        {
            var id = $"2026_{i:D6}";
            (i < train ? trainIds : valIds).Add(id);
            var (image, labels) = Scene(96 + rng.Next(3) * 16, 80 + rng.Next(3) * 16, rng);
            using (image) image.SaveAsJpeg(Path.Combine(voc, "JPEGImages", id + ".jpg"), new JpegEncoder { Quality = 95 });
            IndexedPng.Write(Path.Combine(voc, "SegmentationClass", id + ".png"), labels, IndexedPng.VocPalette());
        }
        File.WriteAllLines(Path.Combine(voc, "ImageSets", "Segmentation", "train.txt"), trainIds);
        File.WriteAllLines(Path.Combine(voc, "ImageSets", "Segmentation", "val.txt"), valIds);
        return root;
    }

    private static (Image<Rgb24>, LabelMap) Scene(int w, int h, Random rng)
    {
        var labels = new int[w * h];
        var pixels = new Rgb24[w * h];
        for (var p = 0; p < pixels.Length; p++)
        {
            var g = (byte)rng.Next(90, 170);
            pixels[p] = new Rgb24(g, (byte)Math.Clamp(g + rng.Next(-10, 10), 0, 255), g);
        }
        var objects = 1 + rng.Next(2);
        for (var o = 0; o < objects; o++)
        {
            var isCat = rng.Next(2) == 0;
            int cx = rng.Next(w / 4, 3 * w / 4), cy = rng.Next(h / 4, 3 * h / 4), r = rng.Next(12, 22);
            for (var y = 0; y < h; y++)
                for (var x = 0; x < w; x++)
                {
                    var inside = isCat ? (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r : Math.Abs(x - cx) <= r && Math.Abs(y - cy) <= r * 2 / 3;
                    var ring = isCat ? (x - cx) * (x - cx) + (y - cy) * (y - cy) <= (r + 1) * (r + 1) : Math.Abs(x - cx) <= r + 1 && Math.Abs(y - cy) <= r * 2 / 3 + 1;
                    var p = y * w + x;
                    if (inside)
                    {
                        labels[p] = isCat ? Cat : Dog;
                        pixels[p] = isCat
                            ? new Rgb24((byte)rng.Next(180, 240), (byte)rng.Next(20, 70), (byte)rng.Next(20, 70))
                            : new Rgb24((byte)rng.Next(20, 70), (byte)rng.Next(40, 90), (byte)rng.Next(180, 240));
                    }
                    else if (ring && labels[p] == 0) labels[p] = 255;
                }
        }
        return (Image.LoadPixelData<Rgb24>(pixels, w, h), new LabelMap(w, h, labels));
    }
}
