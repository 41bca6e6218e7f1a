using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Eval.Datasets;
using SSeg.Eval.Metrics;

namespace SSeg.Eval.Tests.Support;

/// <summary>
/// Writes a small VOC-style folder (VOCdevkit/VOC2012) whose images paint each object rectangle in its class's VOC
/// colour on a background colour no class uses; label PNGs are palette PNGs with a 3-pixel 255 ring around each
/// object, as VOC's boundaries. <see cref="ColourScorer"/> reads the classes back from the colours.
/// </summary>
internal static class SyntheticVoc
{
    public static readonly Rgb24 BackgroundColour = new(30, 200, 230);

    public sealed record Box(int Class, int X, int Y, int W, int H);

    public sealed record Picture(string Id, int Width, int Height, Box[] Boxes);

    public static IReadOnlyList<Picture> DefaultPictures { get; } = new[]
    {
        new Picture("2007_000001", 64, 48, new[] { new Box(8, 20, 10, 24, 28), new Box(15, 2, 30, 12, 16), new Box(12, 48, 4, 14, 14) }),
        new Picture("2007_000002", 50, 70, new[] { new Box(1, 5, 20, 40, 30) }),
        new Picture("2007_000003", 91, 41, new[] { new Box(20, 30, 5, 30, 30), new Box(7, 2, 2, 20, 20), new Box(8, 66, 8, 20, 25) }),
    };

    public static Rgb24 ClassColour(int c)
    {
        var p = IndexedPng.VocPalette();
        return new Rgb24(p[3 * c], p[3 * c + 1], p[3 * c + 2]);
    }

    /// <summary>Creates the folder under <paramref name="root"/> and returns the VOC2012 path.</summary>
    public static string Create(string root, IReadOnlyList<Picture>? pictures = null, string split = "val")
    {
        pictures ??= DefaultPictures;
        var voc = Path.Combine(root, "VOCdevkit", "VOC2012");
        Directory.CreateDirectory(Path.Combine(voc, "JPEGImages"));
        Directory.CreateDirectory(Path.Combine(voc, "SegmentationClass"));
        Directory.CreateDirectory(Path.Combine(voc, "ImageSets", "Segmentation"));
        foreach (var pic in pictures)
        {
            using var image = new Image<Rgb24>(pic.Width, pic.Height, BackgroundColour);
            var labels = Labels(pic);
            for (int y = 0; y < pic.Height; y++)
            for (int x = 0; x < pic.Width; x++)
            {
                var owner = pic.Boxes.LastOrDefault(b => Inside(b, x, y, 0));
                if (owner is not null) image[x, y] = ClassColour(owner.Class);
            }
            image.SaveAsJpeg(Path.Combine(voc, "JPEGImages", pic.Id + ".jpg"),
                new JpegEncoder { Quality = 100, ColorType = JpegColorType.YCbCrRatio444 });
            IndexedPng.Write(Path.Combine(voc, "SegmentationClass", pic.Id + ".png"), labels, IndexedPng.VocPalette());
        }
        File.WriteAllLines(Path.Combine(voc, "ImageSets", "Segmentation", split + ".txt"), pictures.Select(p => p.Id));
        return voc;
    }

    /// <summary>Ground truth: the box class inside (minus a 3-px ring set to 255), 0 elsewhere.</summary>
    public static LabelMap Labels(Picture pic)
    {
        var map = new LabelMap(pic.Width, pic.Height);
        for (int y = 0; y < pic.Height; y++)
        for (int x = 0; x < pic.Width; x++)
        {
            var owner = pic.Boxes.LastOrDefault(b => Inside(b, x, y, 0));
            bool nearEdge = pic.Boxes.Any(b => Inside(b, x, y, 3) && !Inside(b, x, y, -3));
            map[x, y] = nearEdge ? 255 : owner?.Class ?? 0;
        }
        return map;
    }

    private static bool Inside(Box b, int x, int y, int grow) =>
        x >= b.X - grow && x < b.X + b.W + grow && y >= b.Y - grow && y < b.Y + b.H + grow;
}
