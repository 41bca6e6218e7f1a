using System.Text.Json;
using SSeg.Train.Data;

namespace SSeg.Train.Tests.Data;

/// <summary>The loader's JPEG decode against Pillow's (Fixtures/generate_jpeg_decode.py, Debian's Pillow on
/// libjpeg-turbo), byte for byte in every layout, and one whole loader step (decode, crop, resize, flip).</summary>
public class JpegDecodeTests
{
    private static readonly Lazy<JsonElement> Golden = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Fixtures("Train.Tests"), "jpeg_decode_golden.json"))).RootElement);

    public static TheoryData<string> Names
    {
        get
        {
            var names = new TheoryData<string>();
            foreach (var c in Golden.Value.GetProperty("cases").EnumerateArray()) names.Add(c.GetProperty("name").GetString()!);
            return names;
        }
    }

    private static JsonElement Case(string name) =>
        Golden.Value.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static byte[] Bytes(JsonElement e, string property) => Convert.FromBase64String(e.GetProperty(property).GetString()!);

    [Fact]
    public void Libturbojpeg_is_loaded()
    {
        Assert.True(TrainImageDecoder.UsesTurboJpeg, $"{TurboJpeg.LibraryName} was not found (test.sh installs libturbojpeg0): {TrainImageDecoder.JpegDecoder}");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void A_jpeg_decodes_to_pillows_pixels(string name)
    {
        var c = Case(name);
        using var pixels = TrainImageDecoder.Decode(Bytes(c, "jpeg"));
        Assert.Equal((c.GetProperty("width").GetInt32(), c.GetProperty("height").GetInt32()), (pixels.Width, pixels.Height));
        Assert.Equal(Bytes(c, "rgb"), pixels.Bytes.ToArray());
    }

    [Fact]
    public void A_loader_step_equals_pillows_decode_crop_resize_and_flip()
    {
        var step = Golden.Value.GetProperty("loader");
        var c = Golden.Value.GetProperty("cases")[step.GetProperty("case").GetInt32()];
        using var pixels = TrainImageDecoder.Decode(Bytes(c, "jpeg"));
        var box = new CropBox(step.GetProperty("left").GetInt32(), step.GetProperty("top").GetInt32(),
            step.GetProperty("width").GetInt32(), step.GetProperty("height").GetInt32(), step.GetProperty("flip").GetBoolean());
        Assert.Equal(Bytes(step, "rgb"), PairAugmenter.CropImage(pixels, box, step.GetProperty("size").GetInt32()));
    }

    [Fact]
    public void A_cmyk_jpeg_which_turbojpeg_cannot_make_rgb_is_decoded_by_imagesharp()
    {
        var cmyk = Golden.Value.GetProperty("cmyk");
        Assert.Null(TurboJpeg.TryDecode(Bytes(cmyk, "jpeg")));
        using var pixels = TrainImageDecoder.Decode(Bytes(cmyk, "jpeg"));
        Assert.Equal((9, 6), (pixels.Width, pixels.Height));
    }

    [Fact]
    public void A_broken_jpeg_is_refused_with_libjpegs_message()
    {
        var jpeg = Bytes(Case("q90 4:4:4"), "jpeg");
        var broken = jpeg[..20];
        var e = Assert.ThrowsAny<Exception>(() => TrainImageDecoder.Decode(broken));
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
        Assert.Throws<InvalidDataException>(() => TurboJpeg.TryDecode(broken));
    }
}
