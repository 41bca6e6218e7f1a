using System.Text.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Eval.Datasets;
using SSeg.Eval.Metrics;

namespace SSeg.Eval.Tests;

public class IndexedPngTests
{
    private static readonly string Fixtures = TestPaths.Fixtures;

    [Theory]
    [InlineData("png_palette8.png")]
    [InlineData("png_palette4.png")]
    [InlineData("png_gray8.png")]
    [InlineData("png_gray16.png")]
    [InlineData("png_rgb.png")]
    public void ReadsRawValuesOfPngsWrittenByPillowAndOpenCv(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures, "png_values.json")));
        var expected = doc.RootElement.GetProperty(file);
        var raster = IndexedPng.Read(Path.Combine(Fixtures, file));
        Assert.Equal(expected.GetProperty("width").GetInt32(), raster.Width);
        Assert.Equal(expected.GetProperty("height").GetInt32(), raster.Height);
        Assert.Equal(expected.GetProperty("channels").GetInt32(), raster.Channels);
        Assert.Equal(expected.GetProperty("values").EnumerateArray().Select(e => e.GetInt32()).ToArray(), raster.Samples);
    }

    [Fact]
    public void PaletteLabelsAreIndicesNotColours()
    {
        var labels = IndexedPng.ReadLabels(Path.Combine(Fixtures, "png_palette8.png"));
        Assert.Contains(255, labels.Labels);
        Assert.True(labels.Labels.All(v => v is >= 0 and <= 20 or 255));
        // ImageSharp expands the same file to colours: index 1 is VOC's dark red (128, 0, 0).
        using var rgb = Image.Load<Rgb24>(Path.Combine(Fixtures, "png_palette8.png"));
        int i = Array.IndexOf(labels.Labels, 1);
        Assert.Equal(new Rgb24(128, 0, 0), rgb[i % labels.Width, i / labels.Width]);
    }

    [Fact]
    public void RgbLabelPngIsRefusedWithTheFileName()
    {
        var path = Path.Combine(Fixtures, "png_rgb.png");
        var e = Assert.Throws<InvalidDataException>(() => IndexedPng.ReadLabels(path));
        Assert.Contains("png_rgb.png", e.Message);
        Assert.Contains("RGB", e.Message);
    }

    [Fact]
    public void WriteThenReadRoundTripsPalette8AndGray16()
    {
        using var tmp = TestPaths.NewTempDir("eval-png");
        var dir = tmp.Path;
        {
            var rng = new Random(1);
            var small = new LabelMap(13, 5, Enumerable.Range(0, 65).Select(_ => rng.Next(3) == 0 ? 255 : rng.Next(21)).ToArray());
            IndexedPng.Write(Path.Combine(dir, "p.png"), small, IndexedPng.VocPalette());
            var back = IndexedPng.Read(Path.Combine(dir, "p.png"));
            Assert.Equal(3, back.ColorType);
            Assert.Equal(small.Labels, back.Samples);
            using (var img = Image.Load<Rgb24>(Path.Combine(dir, "p.png"))) // also a valid PNG for ImageSharp
                Assert.Equal(13, img.Width);

            var big = new LabelMap(4, 3, Enumerable.Range(0, 12).Select(i => i * 100).ToArray());
            IndexedPng.Write(Path.Combine(dir, "g.png"), big);
            Assert.Equal(big.Labels, IndexedPng.ReadLabels(Path.Combine(dir, "g.png")).Labels);
            Assert.Equal(16, IndexedPng.Read(Path.Combine(dir, "g.png")).BitDepth);
        }
    }

    [Fact]
    public void WrittenChunksCarryTheStandardCrc32()
    {
        using var tmp = TestPaths.NewTempDir("eval-png");
        var path = Path.Combine(tmp.Path, "g.png");
        IndexedPng.Write(path, new LabelMap(3, 2, [0, 1, 300, 2, 3, 4]));
        // Every PNG ends with the same IEND chunk; its CRC-32 is the well-known AE 42 60 82.
        Assert.Equal(new byte[] { 0, 0, 0, 0, 73, 69, 78, 68, 0xAE, 0x42, 0x60, 0x82 }, File.ReadAllBytes(path)[^12..]);
        // ImageSharp checks the CRCs of the IHDR and IDAT chunks.
        using var image = Image.Load<L16>(path);
        Assert.Equal(300, image[2, 0].PackedValue);
    }

    [Fact]
    public void NonPngAndTruncatedFilesGiveErrorsNamingTheFile()
    {
        using var tmp = TestPaths.NewTempDir("eval-png");
        var dir = tmp.Path;
        {
            var notPng = Path.Combine(dir, "x.png");
            File.WriteAllText(notPng, "hello, not a png");
            Assert.Contains("x.png", Assert.Throws<InvalidDataException>(() => IndexedPng.Read(notPng)).Message);
            var truncated = Path.Combine(dir, "t.png");
            File.WriteAllBytes(truncated, File.ReadAllBytes(Path.Combine(Fixtures, "png_palette8.png"))[..60]);
            Assert.Contains("t.png", Assert.Throws<InvalidDataException>(() => IndexedPng.Read(truncated)).Message);
        }
    }
}
