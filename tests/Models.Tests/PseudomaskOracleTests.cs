using SixLabors.ImageSharp;
using SSeg.Eval.Datasets;
using SSeg.Eval.Metrics;
using SSeg.Pseudomask;
using static SSeg.Models.Tests.PseudomaskTestData;

namespace SSeg.Models.Tests;

/// <summary>The oracle on small generated VOC-style folders whose answer is known by construction.</summary>
public class PseudomaskOracleTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"sseg-oracle-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private string WriteVoc()
    {
        var voc = Path.Combine(_root, "VOCdevkit", "VOC2012");
        Directory.CreateDirectory(Path.Combine(voc, "JPEGImages"));
        Directory.CreateDirectory(Path.Combine(voc, "SegmentationClass"));
        Directory.CreateDirectory(Path.Combine(voc, "ImageSets", "Segmentation"));

        // a: person (15) on the left, background (0) on the right, a 2-pixel ignore (255) border between.
        using (var a = Paint(64, 48, (x, _) => x < 32 ? Red : Blue))
            a.SaveAsJpeg(Path.Combine(voc, "JPEGImages", "2007_000001.jpg"), new SixLabors.ImageSharp.Formats.Jpeg.JpegEncoder { Quality = 100 });
        var la = new LabelMap(64, 48);
        for (var y = 0; y < 48; y++)
            for (var x = 0; x < 64; x++)
                la[x, y] = x is 31 or 32 ? 255 : x < 32 ? 15 : 0;
        IndexedPng.Write(Path.Combine(voc, "SegmentationClass", "2007_000001.png"), la, IndexedPng.VocPalette());

        // b: uniform green image labelled dining table (11) with a 4x4 cat (8) inside one patch: one cluster, so
        // the cat is lost. IoU(8) = 0, IoU(11) = 2288 / 2304.
        using (var b = Paint(48, 48, (_, _) => Green))
            b.SaveAsJpeg(Path.Combine(voc, "JPEGImages", "2007_000002.jpg"), new SixLabors.ImageSharp.Formats.Jpeg.JpegEncoder { Quality = 100 });
        var lb = new LabelMap(48, 48);
        for (var y = 0; y < 48; y++)
            for (var x = 0; x < 48; x++)
                lb[x, y] = x is >= 10 and < 14 && y is >= 10 and < 14 ? 8 : 11;
        IndexedPng.Write(Path.Combine(voc, "SegmentationClass", "2007_000002.png"), lb, IndexedPng.VocPalette());

        File.WriteAllLines(Path.Combine(voc, "ImageSets", "Segmentation", "val.txt"), ["2007_000001", "2007_000002"]);
        return _root;
    }

    [Fact]
    public void RgbOracleGivesTheConstructedMiou()
    {
        var dir = WriteVoc();
        var options = new GeneratorOptions { Feature = FeatureKind.Rgb, Patch = 8, K = 8, MaxSide = 64, Threads = 2 };
        var result = PseudomaskOracle.Run(dir, options);

        Assert.Equal(2, result.Images);
        Assert.Equal(21, result.PerClassIoU.Count);
        Assert.Equal(1.0, result.PerClassIoU[0], 12);
        Assert.Equal(1.0, result.PerClassIoU[15], 12);
        Assert.Equal(0.0, result.PerClassIoU[8], 12);
        Assert.Equal(2288.0 / 2304.0, result.PerClassIoU[11], 12);
        Assert.True(double.IsNaN(result.PerClassIoU[1]));
        Assert.Equal((1 + 0 + 2288.0 / 2304.0 + 1) / 4, result.MeanIoU, 12);
        Assert.Equal((2976.0 + 2288.0) / (2976.0 + 2304.0), result.PixelAccuracy, 12);
        Assert.Equal("rgb", result.Feature);
    }

    [Fact]
    public void MajorityVoteUpsamplesNearestAndIgnoresBoundaryPixels()
    {
        // 2x2 grid -> 4x4 labels; cluster 1 covers the right half; its ground truth is mostly 7 with ignore pixels.
        var map = new ClusterMap(2, 2, [0, 1, 0, 1], 2);
        var gt = new LabelMap(4, 4, [
            3, 3, 255, 7,
            3, 3, 7, 7,
            3, 3, 255, 255,
            3, 5, 5, 7,
        ]);
        var pred = PseudomaskOracle.MajorityVote(map, gt, 21, 255);
        Assert.Equal(new[] { 3, 3, 7, 7, 3, 3, 7, 7, 3, 3, 7, 7, 3, 3, 7, 7 }, pred.Labels);
    }

    [Fact]
    public void MissingVocFolderIsAClearError()
    {
        var error = Assert.Throws<DirectoryNotFoundException>(() =>
            PseudomaskOracle.Run(Path.Combine(_root, "nope"), new GeneratorOptions { Feature = FeatureKind.Rgb }));
        Assert.Contains("nope", error.Message);
    }
}
