using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Train.Data;

namespace SSeg.Train.Tests.Data;

/// <summary>The loader's per-pixel kernels against their definitions: ImageNet normalisation of a crop and the binary mask targets.</summary>
public class LoaderKernelsTests
{
    [Fact]
    public void Crop_normalisation_is_exactly_value_over_255_minus_mean_over_std()
    {
        var rng = new Random(3);
        using var image = new Image<Rgb24>(32, 32);
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 32; x++)
                image[x, y] = new Rgb24((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256));
        // A whole-image box at the image's own size: no resampling, so every output value comes from one input byte.
        var chw = PairAugmenter.CropImage(image, new CropBox(0, 0, 32, 32, Flip: false), 32);
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 32; x++)
            {
                var p = image[x, y];
                byte[] values = [p.R, p.G, p.B];
                for (int c = 0; c < 3; c++)
                    Assert.Equal((values[c] / 255f - PairAugmenter.Mean[c]) / PairAugmenter.Std[c], chw[c * 1024 + y * 32 + x]);
            }
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
