using SSeg.Selftrain.Data;
using TorchSharp;

namespace SSeg.Selftrain.Tests;

public class SegAugmentTests
{
    /// <summary>32×32 label blocks cycling 0..3, and an image whose red channel encodes the label (label·60).</summary>
    private static SegSample Blocks(int width, int height)
    {
        var labels = new byte[width * height];
        var rgb = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var l = (byte)((x / 32 + y / 32) % 4);
                labels[y * width + x] = l;
                rgb[3 * (y * width + x)] = (byte)(l * 60);
                rgb[3 * (y * width + x) + 1] = 100;
                rgb[3 * (y * width + x) + 2] = 7;
            }
        return new SegSample(width, height, rgb, labels);
    }

    [Theory]
    [InlineData(1000, 500, 1.0, 1024, 512)]   // short side binds: 512/500
    [InlineData(500, 375, 1.0, 683, 512)]     // 512/375 = 1.3653
    [InlineData(500, 375, 0.5, 341, 256)]
    [InlineData(4000, 500, 1.0, 2048, 256)]   // long side binds: 2048/4000
    public void RescaleSizeFollowsMmcvKeepRatioRule(int w, int h, double ratio, int ew, int eh)
    {
        Assert.Equal((ew, eh), PixelResize.RescaleSize(w, h, 2048 * ratio, 512 * ratio));
    }

    [Fact]
    public void GeometryKeepsImageAndLabelsAlignedAndCropsToAtMostCropSize()
    {
        var options = new AugmentOptions { CropSize = 96, ScaleLong = 400, ScaleShort = 100, PhotometricDistortion = false };
        var source = Blocks(160, 120);
        var rng = new Random(7);
        for (var trial = 0; trial < 20; trial++)
        {
            var before = rng.Next();
            var s = SegAugment.Apply(source, options, new Random(before));
            Assert.True(s.Width <= 96 && s.Height <= 96);
            long agree = 0, counted = 0;
            for (var i = 0; i < s.Labels.Length; i++)
            {
                if (s.Labels[i] == 255) continue;
                counted++;
                if (Math.Abs(s.Rgb[3 * i] - s.Labels[i] * 60) <= 1) agree++;
            }
            // Bilinear image vs nearest labels differ only along block borders.
            Assert.True(agree > 0.85 * counted, $"trial {trial}: only {agree}/{counted} pixels agree");
            var again = SegAugment.Apply(source, options, new Random(before));
            Assert.Equal(s.Labels, again.Labels);
            Assert.Equal(s.Rgb, again.Rgb);
        }
    }

    [Fact]
    public void FlipMirrorsImageAndLabelsTogether()
    {
        var s = Blocks(48, 32);
        var f = SegAugment.FlipHorizontal(s);
        for (var y = 0; y < 32; y++)
            for (var x = 0; x < 48; x++)
            {
                Assert.Equal(s.Labels[y * 48 + x], f.Labels[y * 48 + 47 - x]);
                Assert.Equal(s.Rgb[3 * (y * 48 + x)], f.Rgb[3 * (y * 48 + 47 - x)]);
            }
    }

    [Fact]
    public void CatMaxRatioRejectsCropsDominatedByOneClassWhenAMixedCropExists()
    {
        // 200×200 all class 1 except a 60×60 patch of class 2 in one corner: most 64-crops are pure class 1.
        var labels = Enumerable.Repeat((byte)1, 200 * 200).ToArray();
        for (var y = 0; y < 60; y++) for (var x = 0; x < 60; x++) labels[y * 200 + x] = 2;
        var s = new SegSample(200, 200, new byte[200 * 200 * 3], labels);
        var with = new AugmentOptions { CropSize = 64 };
        var without = with with { CatMaxRatio = 1.0 };
        int Mixed(AugmentOptions o) => Enumerable.Range(0, 200).Count(seed =>
        {
            var c = SegAugment.RandomCrop(s, o, new Random(seed));
            var major = c.Labels.GroupBy(l => l).Max(g => g.Count());
            return major < 0.75 * c.Labels.Length;
        });
        var mixedWith = Mixed(with);
        var mixedWithout = Mixed(without);
        Assert.True(mixedWith > 2 * mixedWithout, $"mixed crops: {mixedWith} with cat_max_ratio, {mixedWithout} without");
    }

    [Fact]
    public void SmallImagesArePaddedWithZeroImageAndIgnoreLabels()
    {
        var s = Blocks(40, 24);
        var (images, labels) = SegBatch.Build(new[] { s }, 64);
        Assert.Equal(new long[] { 1, 3, 64, 64 }, images.shape);
        Assert.Equal(new long[] { 1, 64, 64 }, labels.shape);
        Assert.Equal(255L, labels[0, 30, 10].item<long>());
        Assert.Equal(255L, labels[0, 5, 50].item<long>());
        Assert.Equal((long)s.Labels[5 * 40 + 20], labels[0, 5, 20].item<long>());
        Assert.Equal(0f, images[0, 1, 63, 63].item<float>());
        Assert.Equal((100 - 116.28f) / 57.12f, images[0, 1, 0, 0].item<float>(), 1e-5f);
    }

    [Fact]
    public void PhotometricDistortionChangesColoursButNotLabelsAndStaysIn8Bit()
    {
        var options = new AugmentOptions { CropSize = 64, ScaleLong = 64, ScaleShort = 64, RatioMin = 1, RatioMax = 1, FlipProbability = 0 };
        var s = Blocks(64, 64);
        var changed = 0;
        for (var seed = 0; seed < 10; seed++)
        {
            var a = SegAugment.Apply(s, options, new Random(seed));
            Assert.Equal(s.Labels, a.Labels);
            if (!a.Rgb.SequenceEqual(s.Rgb)) changed++;
        }
        Assert.True(changed >= 7, $"only {changed}/10 draws changed colours");
    }
}
