using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using SSeg.Train.Data;

namespace SSeg.Train.Tests.Data;

/// <summary>The loader's per-pixel kernels against their definitions: the whole-image crop, ImageNet normalisation, the
/// binary mask targets and the collated batch (the resized crop against Pillow: <see cref="BilinearResizeTests"/>).</summary>
public class LoaderKernelsTests
{
    [Fact]
    public void Normalisation_is_exactly_value_over_255_minus_mean_over_std_into_chw()
    {
        var rng = new Random(3);
        const int pixels = 700;
        var rgb = new byte[3 * pixels];
        rng.NextBytes(rgb);
        for (int v = 0; v < 256; v++) rgb[3 * v] = rgb[3 * v + 1] = rgb[3 * v + 2] = (byte)v;   // every value in every channel
        var chw = new float[rgb.Length];
        PairAugmenter.Normalize(rgb, chw);
        for (int p = 0; p < pixels; p++)
            for (int c = 0; c < 3; c++)
                Assert.Equal((rgb[3 * p + c] / 255f - PairAugmenter.Mean[c]) / PairAugmenter.Std[c], chw[c * pixels + p]);
        Assert.Throws<ArgumentException>(() => PairAugmenter.Normalize(rgb, new float[rgb.Length - 3]));
    }

    [Fact]
    public void A_whole_image_crop_at_its_own_size_is_the_image()
    {
        var rng = new Random(5);
        using var image = new Image<Rgb24>(32, 24);
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
                image[x, y] = new Rgb24((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256));
        using var square = image.Clone(x => x.Crop(new Rectangle(4, 0, 24, 24)));
        var expected = new byte[3 * 24 * 24];
        square.CopyPixelDataTo(expected);
        using var pixels = RgbPixels.From(image);
        Assert.Equal(expected, PairAugmenter.CropImage(pixels, new CropBox(4, 0, 24, 24, Flip: false), 24));
    }

    [Fact]
    public void A_collated_batch_holds_each_samples_pixels_and_tokens_in_order()
    {
        const int crop = 8, mask = 4, prompts = 2, context = 5;
        var rng = new Random(4);
        var samples = Enumerable.Range(0, 3).Select(i => new TrainSample(
            $"k{i}", i,
            Enumerable.Range(0, 3 * crop * crop).Select(_ => (byte)rng.Next(256)).ToArray(),
            Enumerable.Range(0, mask * mask).Select(p => (byte)(p % (i + 2))).ToArray(),
            Enumerable.Range(0, prompts * context).Select(_ => (long)rng.Next(49408)).ToArray())).ToList();
        using var batch = TrainBatch.Collate(samples, crop, mask, prompts, context, epoch: 1, minMaskArea: 0);
        Assert.Equal(new long[] { 3, 3, crop, crop }, batch.Images.shape);
        Assert.Equal(new long[] { 3, prompts, context }, batch.Tokens.shape);
        // Interleaved RGB bytes become normalised CHW planes, sample after sample.
        var expected = samples.SelectMany(s => Enumerable.Range(0, 3).SelectMany(c => Enumerable.Range(0, crop * crop)
            .Select(p => (s.Image[3 * p + c] / 255f - PairAugmenter.Mean[c]) / PairAugmenter.Std[c])));
        Assert.Equal(expected, batch.Images.data<float>().ToArray());
        Assert.Equal(samples.SelectMany(s => s.Tokens), batch.Tokens.data<long>().ToArray());
        Assert.Equal([2L, 3L, 4L], batch.Targets.Select(t => t.shape[0]));
        Assert.Equal(3, batch.NextPosition);
        var wrong = samples.Append(samples[0] with { Key = "short", Tokens = [1, 2] }).ToList();
        var e = Assert.Throws<ArgumentException>(() => TrainBatch.Collate(wrong, crop, mask, prompts, context, 1, 0));
        Assert.Contains("sample short", e.Message);
    }

    [Theory]
    [InlineData(0.0, 255)]
    [InlineData(0.05, 255)]
    [InlineData(0.0, 2)]
    public void Mask_targets_are_one_channel_per_present_id_in_ascending_order(double minArea, int maxSegments)
    {
        const int size = 8;
        var ids = new byte[size * size];
        for (int p = 0; p < ids.Length; p++) ids[p] = p < 2 ? (byte)200 : p < 30 ? (byte)7 : (byte)3;   // 200 covers 2/64 < 5 %
        using var targets = MaskTargets.ToBinary(ids, size, minArea, maxSegments);
        var expected = new[] { 3, 7, 200 }.Where(id => ids.Count(v => v == id) >= minArea * ids.Length).Take(maxSegments).ToArray();
        Assert.Equal(new long[] { expected.Length, size, size }, targets.shape);
        var data = targets.data<float>().ToArray();
        for (int k = 0; k < expected.Length; k++)
            for (int p = 0; p < ids.Length; p++)
                Assert.Equal(ids[p] == expected[k] ? 1f : 0f, data[k * ids.Length + p]);
    }
}
