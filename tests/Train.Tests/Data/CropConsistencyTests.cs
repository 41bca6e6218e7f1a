using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Train.Data;

namespace SSeg.Train.Tests.Data;

public class CropConsistencyTests
{
    // An image of 24-px blocks whose colour encodes the block id, and its id map at 4-px cells.
    private static (Image<Rgb24> Image, byte[] Ids, int Grid) Blocks(int size = 96, int block = 24, int cell = 4)
    {
        var image = new Image<Rgb24>(size, size);
        int perRow = size / block;
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                int id = (y / block) * perRow + x / block;
                image[x, y] = new Rgb24((byte)(id * 16), (byte)(255 - id * 16), 128);
            }
        int g = size / cell;
        var ids = new byte[g * g];
        for (int y = 0; y < g; y++)
            for (int x = 0; x < g; x++)
                ids[y * g + x] = (byte)(((y * cell) / block) * perRow + (x * cell) / block);
        return (image, ids, g);
    }

    [Fact]
    public void Image_and_mask_get_the_same_crop_resize_and_flip()
    {
        var (image, ids, g) = Blocks();
        var rrc = new RandomResizedCrop();
        var rng = new Random(5);
        int crop = 64, maskSize = 16, flips = 0;
        using var rgb = RgbPixels.From(image);
        for (int trial = 0; trial < 40; trial++)
        {
            var box = rrc.Sample(image.Width, image.Height, rng);
            if (box.Flip) flips++;
            var pixels = PairAugmenter.CropImage(rgb, box, crop);
            var mask = PairAugmenter.CropMask(ids, g, g, image.Width, image.Height, box, maskSize);
            int agree = 0;
            for (int my = 0; my < maskSize; my++)
                for (int mx = 0; mx < maskSize; mx++)
                {
                    int px = (int)((mx + 0.5) * crop / maskSize), py = (int)((my + 0.5) * crop / maskSize);
                    int idFromImage = (int)Math.Round(pixels[3 * (py * crop + px)] / 16.0);   // red byte = id * 16
                    if (idFromImage == mask[my * maskSize + mx]) agree++;
                }
            // Block edges blur under bilinear resizing; nearly every cell centre must agree.
            Assert.True(agree >= 0.85 * maskSize * maskSize, $"trial {trial} {box}: only {agree}/{maskSize * maskSize} cells agree");
        }
        Assert.InRange(flips, 8, 32);
    }

    [Fact]
    public void Random_resized_crop_respects_scale_and_ratio()
    {
        var rrc = new RandomResizedCrop();
        var rng = new Random(1);
        for (int i = 0; i < 500; i++)
        {
            var b = rrc.Sample(200, 120, rng);
            Assert.InRange(b.Left, 0, 200 - b.Width);
            Assert.InRange(b.Top, 0, 120 - b.Height);
            double area = (double)b.Width * b.Height / (200 * 120);
            Assert.InRange(area, 0.07, 1.0);
            Assert.InRange((double)b.Width / b.Height, 0.70, 1.43);
        }
    }

    [Fact]
    public void Binary_targets_have_one_mask_per_present_id()
    {
        byte[] ids = [0, 0, 3, 3, 3, 7, 0, 0, 3];
        var t = MaskTargets.ToBinary(ids, 3);
        Assert.Equal(new long[] { 3, 3, 3 }, t.shape);
        Assert.Equal(new float[] { 1, 1, 0, 0, 0, 0, 1, 1, 0 }, t[0].flatten().data<float>().ToArray());
        Assert.Equal(new float[] { 0, 0, 0, 0, 0, 1, 0, 0, 0 }, t[2].flatten().data<float>().ToArray());
        Assert.Equal(2, MaskTargets.ToBinary(ids, 3, minArea: 0.2).shape[0]);
    }
}
