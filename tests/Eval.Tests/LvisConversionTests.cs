using System.Text.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Eval.Datasets;

namespace SSeg.Eval.Tests;

public class LvisConversionTests
{
    [Fact]
    public void PolygonFillCoversPixelsWhoseCentresAreInside()
    {
        var rect = new int[6 * 5];
        PolygonRasterizer.Fill(rect, 6, 5, new double[] { 1, 1, 4, 1, 4, 3, 1, 3 }, 7);
        var expected = new int[6 * 5];
        foreach (var (x, y) in new[] { (1, 1), (2, 1), (3, 1), (1, 2), (2, 2), (3, 2) }) expected[y * 6 + x] = 7;
        Assert.Equal(expected, rect);

        var tri = new int[5 * 5];
        PolygonRasterizer.Fill(tri, 5, 5, new double[] { 0, 0, 4, 0, 0, 4 }, 1); // centre inside when x + y < 3
        for (int y = 0; y < 5; y++)
        for (int x = 0; x < 5; x++)
            Assert.Equal(x + y < 3 ? 1 : 0, tri[y * 5 + x]);

        var clipped = new int[3 * 3];
        PolygonRasterizer.Fill(clipped, 3, 3, new double[] { -5, -5, 10, -5, 10, 10, -5, 10 }, 2);
        Assert.All(clipped, v => Assert.Equal(2, v));
    }

    [Fact]
    public void ConvertsLvisJsonToTheSemanticLayoutTheReaderReads()
    {
        using var tmp = TestPaths.NewTempDir();
        var coco = tmp.File("coco");
        Directory.CreateDirectory(Path.Combine(coco, "val2017"));
        Directory.CreateDirectory(Path.Combine(coco, "train2017"));
        using (var img = new Image<Rgb24>(8, 6)) img.SaveAsJpeg(Path.Combine(coco, "val2017", "000000000001.jpg"));
        using (var img = new Image<Rgb24>(4, 4)) img.SaveAsJpeg(Path.Combine(coco, "train2017", "000000000002.jpg"));
        var json = new
        {
            categories = new[] { new { id = 2, name = "bow_(weapon)" }, new { id = 1, name = "aerosol_can" }, new { id = 3, name = "zebra" } },
            images = new[]
            {
                new { id = 1, width = 8, height = 6, coco_url = "http://images.cocodataset.org/val2017/000000000001.jpg" },
                new { id = 2, width = 4, height = 4, coco_url = "http://images.cocodataset.org/train2017/000000000002.jpg" },
            },
            annotations = new object[]
            {
                new { id = 10, image_id = 1, category_id = 3, area = 4.0, segmentation = new[] { new double[] { 2, 2, 4, 2, 4, 4, 2, 4 } } },
                new { id = 11, image_id = 1, category_id = 1, area = 48.0, segmentation = new[] { new double[] { 0, 0, 8, 0, 8, 6, 0, 6 } } },
            },
        };
        var jsonPath = tmp.File("lvis_v1_val.json");
        File.WriteAllText(jsonPath, JsonSerializer.Serialize(json));
        var outRoot = tmp.File("lvis");

        var result = LvisSemanticConverter.Convert(jsonPath, outRoot, cocoImages: coco);
        Assert.Equal((2, 0, 2), (result.Written, result.Skipped, result.Linked));
        Assert.Empty(result.Failures);
        Assert.Equal(new[] { "aerosol can", "bow (weapon)", "zebra" }, File.ReadAllLines(Path.Combine(outRoot, "classes.txt")));

        var ds = new LvisDataset(outRoot);
        Assert.Equal(2, ds.Samples.Count);
        var labels = ds.LoadLabels(ds.Samples.Single(s => s.Id == "000000000001"));
        // the small zebra (id 3 -> class 2) is painted over the large aerosol can (id 1 -> class 0)
        Assert.Equal(2, labels[2, 2]);
        Assert.Equal(2, labels[3, 3]);
        Assert.Equal(0, labels[0, 0]);
        Assert.Equal(0, labels[4, 4]);
        var empty = ds.LoadLabels(ds.Samples.Single(s => s.Id == "000000000002"));
        Assert.All(empty.Labels, v => Assert.Equal(LvisDataset.Ignore, v)); // no annotation: all ignored
        using (var linkedImage = ds.LoadImage(ds.Samples[1])) Assert.Equal(4, linkedImage.Width);

        var again = LvisSemanticConverter.Convert(jsonPath, outRoot, cocoImages: coco);
        Assert.Equal((0, 2, 0), (again.Written, again.Skipped, again.Linked));
    }

    [Fact]
    public void GappedCategoryIdsAndBrokenJsonAreRefused()
    {
        using var tmp = TestPaths.NewTempDir();
        var gapped = tmp.File("gapped.json");
        File.WriteAllText(gapped, """{"categories":[{"id":1,"name":"a"},{"id":3,"name":"b"}],"images":[],"annotations":[]}""");
        Assert.Contains("without gaps", Assert.Throws<InvalidDataException>(() => LvisSemanticConverter.Convert(gapped, tmp.File("o"))).Message);
        var broken = tmp.File("broken.json");
        File.WriteAllText(broken, "{ not json");
        Assert.Contains("broken.json", Assert.Throws<InvalidDataException>(() => LvisSemanticConverter.Convert(broken, tmp.File("o"))).Message);
    }
}
