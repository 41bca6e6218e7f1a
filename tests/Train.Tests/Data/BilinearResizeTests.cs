using System.Text.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Train.Data;

namespace SSeg.Train.Tests.Data;

/// <summary>The loader's crop resize against Pillow's crop → resize(BILINEAR) → flip (Fixtures/generate_bilinear_resize.py,
/// Debian's Pillow): downscale, upscale, unchanged axes, one-pixel sources and outputs, byte for byte.</summary>
public class BilinearResizeTests
{
    private static readonly Lazy<JsonElement> Golden = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Fixtures("Train.Tests"), "bilinear_resize_golden.json"))).RootElement);

    /// <summary>Every case through the AVX2 pass (where the CPU has it) and the plain pass.</summary>
    public static TheoryData<int, bool> Cases
    {
        get
        {
            var cases = new TheoryData<int, bool>();
            for (var i = 0; i < Golden.Value.GetProperty("cases").GetArrayLength(); i++)
            {
                cases.Add(i, true);
                cases.Add(i, false);
            }
            return cases;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Resize_equals_pillows_bilinear_resize_of_the_crop(int index, bool gather)
    {
        var c = Golden.Value.GetProperty("cases")[index];
        using var image = Source(c.GetProperty("image").GetString()!);
        using var pixels = RgbPixels.From(image);
        var actual = BilinearResize.Resize(pixels, c.GetProperty("left").GetInt32(), c.GetProperty("top").GetInt32(),
            c.GetProperty("width").GetInt32(), c.GetProperty("height").GetInt32(),
            c.GetProperty("outWidth").GetInt32(), c.GetProperty("outHeight").GetInt32(), c.GetProperty("flip").GetBoolean(), gather);
        Assert.Equal(Convert.FromBase64String(c.GetProperty("rgb").GetString()!), actual);
    }

    [Fact]
    public void A_square_crop_is_the_resize_of_its_box()
    {
        var c = Golden.Value.GetProperty("cases").EnumerateArray().First(e => e.GetProperty("flip").GetBoolean()
            && e.GetProperty("outWidth").GetInt32() == e.GetProperty("outHeight").GetInt32() && e.GetProperty("width").GetInt32() > 24);
        using var image = Source(c.GetProperty("image").GetString()!);
        using var pixels = RgbPixels.From(image);
        var box = new CropBox(c.GetProperty("left").GetInt32(), c.GetProperty("top").GetInt32(), c.GetProperty("width").GetInt32(), c.GetProperty("height").GetInt32(), Flip: true);
        Assert.Equal(Convert.FromBase64String(c.GetProperty("rgb").GetString()!), PairAugmenter.CropImage(pixels, box, c.GetProperty("outWidth").GetInt32()));
    }

    [Fact]
    public void A_rectangle_outside_the_image_is_refused_with_its_coordinates()
    {
        using var image = RgbPixels.Rent(10, 8);
        var e = Assert.Throws<ArgumentException>(() => BilinearResize.Resize(image, 4, 0, 7, 8, 5, 5, false));
        Assert.Contains("7×8 at (4, 0)", e.Message);
        Assert.Throws<ArgumentException>(() => BilinearResize.Resize(image, 0, 0, 0, 8, 5, 5, false));
    }

    private static Image<Rgb24> Source(string name)
    {
        var entry = Golden.Value.GetProperty("images").GetProperty(name);
        int width = entry.GetProperty("width").GetInt32(), height = entry.GetProperty("height").GetInt32();
        var rgb = entry.TryGetProperty("rgb", out var stored) ? Convert.FromBase64String(stored.GetString()!) : Pattern(width, height);
        return Image.LoadPixelData<Rgb24>(rgb, width, height);
    }

    /// <summary>The generator's pattern_pixels: the same integer formula, so the larger source is not stored.</summary>
    private static byte[] Pattern(int width, int height)
    {
        var rgb = new byte[3 * width * height];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                for (int c = 0; c < 3; c++)
                    rgb[3 * (y * width + x) + c] = (byte)((x * x * 7 + y * 13 + x * y * 3 + c * 85 + (x + y) % 2 * 90) % 256);
        return rgb;
    }
}
