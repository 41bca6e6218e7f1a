using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace SSeg.Shards.Tests;

public class MaskPngTests
{
    private static readonly byte[] Ids = [0, 1, 1, 2, 255, 0];   // 3 wide, 2 high

    [Fact]
    public void Ids_round_trip_as_a_deterministic_8_bit_grayscale_png()
    {
        var png = MaskPng.Encode(2, 3, Ids);
        var (height, width, ids) = MaskPng.Decode(png, "test");
        Assert.Equal((2, 3), (height, width));
        Assert.Equal(Ids, ids);
        // IHDR right after the signature: width, height, bit depth 8, colour type 0 (grayscale).
        Assert.Equal(new byte[] { 0, 0, 0, 3, 0, 0, 0, 2, 8, 0 }, png[16..26]);
        Assert.Equal(png, MaskPng.Encode(2, 3, [.. Ids]));
    }

    [Fact]
    public void Pngs_of_l8_images_from_imagesharp_defaults_decode()
    {
        var (height, width, ids) = MaskPng.Decode(TestMasks.Png(4, 2, 1), "test");
        Assert.Equal((2, 4), (height, width));
        Assert.Equal(new byte[] { 1, 2, 3, 0, 1, 2, 3, 0 }, ids);
    }

    [Fact]
    public void A_mask_row_is_checked_against_its_size_and_named_in_errors()
    {
        var row = new MaskRow("cc3m/00042/00007", MaskPng.Encode(2, 3, Ids), 2, 3, 4);
        Assert.Equal(Ids, MaskPng.Decode(row).Ids);
        var e = Assert.Throws<InvalidDataException>(() => MaskPng.Decode(row with { Height = 3, Width = 2 }, "demo"));
        Assert.Equal("demo: mask row cc3m/00042/00007: mask PNG is 3x2, the row says 2x3.", e.Message);
        var bad = Assert.Throws<InvalidDataException>(() => MaskPng.Decode(row with { MaskPng = [1, 2, 3] }));
        Assert.StartsWith("mask row cc3m/00042/00007: mask is not a readable PNG (3 bytes)", bad.Message);
    }

    [Fact]
    public void Other_image_kinds_are_refused_rather_than_converted_to_gray()
    {
        using var gray = Image.LoadPixelData<L8>(Ids, 3, 2);
        Assert.Contains("Palette 8-bit", Refused(Save(gray, new PngEncoder { ColorType = PngColorType.Palette, BitDepth = PngBitDepth.Bit8 })));
        Assert.Contains("Rgb 8-bit", Refused(Save(gray, new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit8 })));
        Assert.Contains("Grayscale 16-bit", Refused(Save(gray, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit16 })));
        Assert.Contains("Grayscale 4-bit", Refused(Save(gray, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit4 })));
        using var jpeg = new MemoryStream();
        gray.SaveAsJpeg(jpeg);
        Assert.Contains("is a JPEG image", Refused(jpeg.ToArray()));
    }

    [Fact]
    public void Encode_refuses_a_size_that_does_not_match_the_ids()
    {
        Assert.Throws<ArgumentException>(() => MaskPng.Encode(2, 2, Ids));
        Assert.Throws<ArgumentOutOfRangeException>(() => MaskPng.Encode(0, 6, Ids));
    }

    private static string Refused(byte[] png)
    {
        var e = Assert.Throws<InvalidDataException>(() => MaskPng.Decode(png, "shard 3 row 9"));
        Assert.StartsWith("shard 3 row 9: ", e.Message);
        return e.Message;
    }

    private static byte[] Save(Image image, PngEncoder encoder)
    {
        using var stream = new MemoryStream();
        image.Save(stream, encoder);
        return stream.ToArray();
    }
}
