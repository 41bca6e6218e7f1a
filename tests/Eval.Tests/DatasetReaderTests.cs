using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Eval.Datasets;
using SSeg.Eval.Metrics;
using SSeg.Eval.Tests.Support;

namespace SSeg.Eval.Tests;

public class DatasetReaderTests
{
    [Fact]
    public void ClassListsHaveTheProtocolSizesAndPromptNames()
    {
        Assert.Equal(21, EvalClassLists.Voc.Count);
        Assert.Equal(60, EvalClassLists.PascalContext.Count);
        Assert.Equal(81, EvalClassLists.CocoObject.Count);
        Assert.All(new[] { EvalClassLists.Voc, EvalClassLists.PascalContext, EvalClassLists.CocoObject },
            l => { Assert.Equal("background", l[0]); Assert.Equal(l.Count, l.Distinct().Count()); });
        Assert.Equal(new[] { "table", "plant", "monitor" }, new[] { EvalClassLists.Voc[11], EvalClassLists.Voc[16], EvalClassLists.Voc[20] });
        Assert.Equal("airplane", EvalClassLists.PascalContext[1]);
        Assert.Equal("wood", EvalClassLists.PascalContext[59]);
        Assert.Equal("toothbrush", EvalClassLists.CocoObject[80]);
        Assert.Equal(20, EvalClassLists.Foreground(EvalClassLists.Voc).Count);
    }

    [Fact]
    public void VocReaderFindsTheYearFolderAndReadsPaletteIndices()
    {
        using var tmp = TestPaths.NewTempDir();
        SyntheticVoc.Create(tmp.Path);
        foreach (var root in new[] { tmp.Path, Path.Combine(tmp.Path, "VOCdevkit"), Path.Combine(tmp.Path, "VOCdevkit", "VOC2012") })
        {
            var voc = new VocDataset(root);
            Assert.Equal(3, voc.Samples.Count);
            var labels = voc.LoadLabels(voc.Samples[0]);
            Assert.Equal(SyntheticVoc.Labels(SyntheticVoc.DefaultPictures[0]).Labels, labels.Labels);
            using var image = voc.LoadImage(voc.Samples[0]);
            Assert.Equal((64, 48), (image.Width, image.Height));
        }
    }

    [Fact]
    public void MissingVocPartsAreNamed()
    {
        using var tmp = TestPaths.NewTempDir();
        Assert.Contains("not found", Assert.Throws<DirectoryNotFoundException>(() => new VocDataset(tmp.File("nope"))).Message);
        Assert.Contains("JPEGImages", Assert.Throws<DirectoryNotFoundException>(() => new VocDataset(tmp.Path)).Message);

        var root = SyntheticVoc.Create(tmp.Path);
        File.Delete(Path.Combine(root, "SegmentationClass", "2007_000002.png"));
        var e = Assert.Throws<FileNotFoundException>(() => new VocDataset(root));
        Assert.Contains("2007_000002.png", e.Message);
        Assert.Contains("1 listed file", e.Message);

        Assert.Contains("train.txt", Assert.Throws<FileNotFoundException>(() => new VocDataset(root, "train")).Message);
        Directory.Delete(Path.Combine(root, "SegmentationClass"), true);
        Assert.Contains("SegmentationClass", Assert.Throws<DirectoryNotFoundException>(() => new VocDataset(root)).Message);
    }

    [Fact]
    public void PascalContextReaderUsesTheMmsegLayout()
    {
        using var tmp = TestPaths.NewTempDir();
        var root = Path.Combine(tmp.Path, "VOCdevkit", "VOC2010");
        Directory.CreateDirectory(Path.Combine(root, "JPEGImages"));
        Directory.CreateDirectory(Path.Combine(root, "ImageSets", "SegmentationContext"));
        var e = Assert.Throws<DirectoryNotFoundException>(() => new PascalContextDataset(tmp.Path));
        Assert.Contains("SegmentationClassContext", e.Message);

        Directory.CreateDirectory(Path.Combine(root, "SegmentationClassContext"));
        using (var img = new Image<Rgb24>(6, 4)) img.SaveAsJpeg(Path.Combine(root, "JPEGImages", "2008_000008.jpg"));
        var labels = new LabelMap(6, 4, Enumerable.Range(0, 24).Select(i => i % 3 == 0 ? 59 : i % 60).ToArray());
        IndexedPng.Write(Path.Combine(root, "SegmentationClassContext", "2008_000008.png"), labels);
        File.WriteAllText(Path.Combine(root, "ImageSets", "SegmentationContext", "val.txt"), "2008_000008\n");
        var ctx = new PascalContextDataset(tmp.Path);
        Assert.Equal("context", ctx.Name);
        Assert.Equal(0.35, ctx.DefaultBackgroundThreshold);
        Assert.Equal(labels.Labels, ctx.LoadLabels(Assert.Single(ctx.Samples)).Labels);
    }

    [Fact]
    public void CocoObjectConversionFollowsTheGroupVitMapping()
    {
        // One pixel of every value 0..181 plus 255.
        var values = Enumerable.Range(0, 182).Append(255).ToArray();
        var converted = CocoObjectConverter.Convert(new LabelMap(values.Length, 1, values), out long unexpected);
        int L(int v) => converted.Labels[Array.IndexOf(values, v)];
        Assert.Equal(1, L(0));     // COCO id 1 person
        Assert.Equal(3, L(2));     // id 3 car
        Assert.Equal(0, L(11));    // id 12 unused
        Assert.Equal(12, L(12));   // id 13 stop sign
        Assert.Equal(80, L(89));   // id 90 toothbrush
        Assert.Equal(0, L(90));
        Assert.All(Enumerable.Range(91, 91), v => Assert.Equal(0, L(v))); // stuff
        Assert.Equal(0, L(255));   // unlabelled -> background, no ignore left
        Assert.Equal(Enumerable.Range(1, 80), converted.Labels.Where(l => l > 0).Order());
        Assert.Equal("stop sign", EvalClassLists.CocoObject[L(12)]);
        Assert.Equal("hair drier", EvalClassLists.CocoObject[L(88)]);
        Assert.Equal(11, unexpected); // 11, 25, 28, 29, 44, 65, 67, 68, 70, 82, 90
    }

    [Fact]
    public void CocoObjectFolderConversionIsResumableAndReadable()
    {
        using var tmp = TestPaths.NewTempDir();
        var maps = tmp.File("stuffthingmaps_trainval2017/val2017");
        Directory.CreateDirectory(maps);
        var coco = tmp.File("coco");
        Directory.CreateDirectory(Path.Combine(coco, "images", "val2017"));
        var rng = new Random(5);
        foreach (var id in new[] { "000000000139", "000000000285" })
        {
            var stuff = new LabelMap(9, 7, Enumerable.Range(0, 63).Select(_ => rng.Next(4) switch { 0 => 255, 1 => 120, 2 => 17, _ => 0 }).ToArray());
            IndexedPng.Write(Path.Combine(maps, id + ".png"), stuff);
            using var img = new Image<Rgb24>(9, 7);
            img.SaveAsJpeg(Path.Combine(coco, "images", "val2017", id + ".jpg"));
        }
        File.WriteAllText(Path.Combine(maps, "broken.png"), "not a png");
        var first = CocoObjectConverter.ConvertFolder(maps, coco);
        Assert.Equal(2, first.Converted);
        Assert.Contains("broken.png", Assert.Single(first.Failures));
        var second = CocoObjectConverter.ConvertFolder(maps, coco);
        Assert.Equal((0, 2), (second.Converted, second.Skipped));

        var ds = new CocoObjectDataset(tmp.Path);
        Assert.Equal(2, ds.Samples.Count);
        var labels = ds.LoadLabels(ds.Samples[0]);
        Assert.True(labels.Labels.All(v => v is 0 or 1 or 17)); // 17 = value 17 (COCO id 18, dog) -> label 17
        Assert.Equal("dog", EvalClassLists.CocoObject[17]);
    }

    [Fact]
    public void LvisAndImageNetSReadersDecodeTheirLabelEncodings()
    {
        using var tmp = TestPaths.NewTempDir();
        // LVIS: 16-bit ids, 0 = not annotated -> ignore, id v -> class v-1
        var lvis = tmp.File("lvis");
        Directory.CreateDirectory(Path.Combine(lvis, "images", "val"));
        File.WriteAllLines(Path.Combine(lvis, "classes.txt"), Enumerable.Range(1, 1203).Select(i => $"category {i}"));
        using (var img = new Image<Rgb24>(3, 2)) img.SaveAsJpeg(Path.Combine(lvis, "images", "val", "000000000001.jpg"));
        Assert.Contains("semantic", Assert.Throws<DirectoryNotFoundException>(() => new LvisDataset(lvis)).Message);
        IndexedPng.Write(Path.Combine(lvis, "semantic", "val", "000000000001.png"), new LabelMap(3, 2, new[] { 0, 1, 1203, 600, 0, 2 }));
        var l = new LvisDataset(lvis);
        Assert.False(l.HasBackground);
        Assert.Equal(1203, l.ClassNames.Count);
        Assert.Equal(new[] { LvisDataset.Ignore, 0, 1202, 599, LvisDataset.Ignore, 1 }, l.LoadLabels(l.Samples[0]).Labels);

        // ImageNet-S: RGB, class = R + 256 G, 1000 = ignore
        var ins = tmp.File("ImageNetS919");
        Directory.CreateDirectory(Path.Combine(ins, "validation", "n01443537"));
        Directory.CreateDirectory(Path.Combine(ins, "validation-segmentation", "n01443537"));
        Assert.Contains("classes.txt", Assert.Throws<FileNotFoundException>(() => new ImageNetSDataset(ins)).Message);
        File.WriteAllLines(Path.Combine(ins, "classes.txt"), new[] { "others" }.Concat(Enumerable.Range(1, 919).Select(i => $"class {i}")));
        using (var img = new Image<Rgb24>(2, 2)) img.SaveAsJpeg(Path.Combine(ins, "validation", "n01443537", "ILSVRC2012_val_00000001.JPEG"));
        using (var seg = new Image<Rgb24>(2, 2))
        {
            seg[0, 0] = new Rgb24(0, 0, 0);
            seg[1, 0] = new Rgb24(7, 0, 0);
            seg[0, 1] = new Rgb24(919 % 256, 919 / 256, 0);
            seg[1, 1] = new Rgb24(1000 % 256, 1000 / 256, 0);
            seg.SaveAsPng(Path.Combine(ins, "validation-segmentation", "n01443537", "ILSVRC2012_val_00000001.png"));
        }
        var s = new ImageNetSDataset(ins);
        Assert.Equal(920, s.ClassNames.Count);
        Assert.Equal("n01443537/ILSVRC2012_val_00000001", s.Samples[0].Id.Replace('\\', '/'));
        Assert.Equal(new[] { 0, 7, 919, ImageNetSDataset.Ignore }, s.LoadLabels(s.Samples[0]).Labels);
    }

    [Fact]
    public void DatasetSpecsParseAndUnknownKindsAreRejected()
    {
        Assert.Equal(("voc", (string?)null, "/d/VOCdevkit"), EvalDatasets.ParseSpec("voc=/d/VOCdevkit"));
        Assert.Equal(("voc", "train", "x=y"), EvalDatasets.ParseSpec("VOC:train=x=y"));
        Assert.Throws<ArgumentException>(() => EvalDatasets.ParseSpec("voc"));
        Assert.Contains("known: voc", Assert.Throws<ArgumentException>(() => EvalDatasets.Open("ade", "/tmp")).Message);
    }
}
