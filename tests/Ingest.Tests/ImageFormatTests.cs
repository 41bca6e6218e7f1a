using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Pbm;
using SixLabors.ImageSharp.Formats.Tga;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Tiff.Constants;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Ingest.Images;
using SSeg.Tests.Common;

namespace SSeg.Ingest.Tests;

/// <summary>
/// Which formats ingest decodes. The shared photos hold JPEG, PNG, WebP and GIF; BMP, TIFF, TGA and PBM files are
/// made here from one of those photos with ImageSharp's own encoders (default configuration).
/// </summary>
public sealed class ImageFormatTests
{
    private static readonly ImageProcessor Processor = new(new ImageOptions());

    private static string Formats(string name) => Path.Combine(RepoPaths.Photos, "formats", name);

    private static byte[] Encode(IImageEncoder encoder)
    {
        using var image = Image.Load<Rgb24>(Formats("pillow_hopper.png"));
        using var ms = new MemoryStream();
        image.Save(ms, encoder);
        return ms.ToArray();
    }

    private static byte[] Sample(string kind) => kind switch
    {
        "jpeg" => File.ReadAllBytes(Formats("pillow_flower.jpg")),
        "png" => File.ReadAllBytes(Formats("pillow_hopper.png")),
        "webp" => File.ReadAllBytes(Formats("pillow_hopper.webp")),
        "gif" => File.ReadAllBytes(Formats("pillow_hopper.gif")),
        "bmp" => Encode(new BmpEncoder()),
        "tiff" => Encode(new TiffEncoder()),
        // 1-bit CCITT Group 3 fax: the decoder of the out-of-bounds write advisory.
        "tiff-ccitt" => Encode(new TiffEncoder { BitsPerPixel = TiffBitsPerPixel.Bit1, Compression = TiffCompression.CcittGroup3Fax }),
        "tga" => Encode(new TgaEncoder()),
        "pbm" => Encode(new PbmEncoder()),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [InlineData("jpeg")]
    [InlineData("png")]
    [InlineData("webp")]
    [InlineData("gif")]
    [InlineData("bmp")]
    public void Web_formats_are_decoded(string kind)
    {
        var r = Processor.Process(Sample(kind));
        Assert.True(r.Ok, $"{kind}: {r.FailureReason} {r.Detail}");
        using var output = Image.Load<Rgb24>(r.Jpeg!);
        Assert.Equal((r.Width, r.Height), (output.Width, output.Height));
    }

    [Theory]
    [InlineData("tiff", "TIFF")]
    [InlineData("tiff-ccitt", "TIFF")]
    [InlineData("tga", "TGA")]
    [InlineData("pbm", "PBM")]
    public void Other_formats_are_not_images_to_ingest(string kind, string defaultName)
    {
        var bytes = Sample(kind);
        // ImageSharp's default configuration reads these bytes: they are valid images, refused by ingest's choice.
        using (var decoded = Image.Load<Rgb24>(Configuration.Default, bytes, out var format))
            Assert.Equal(defaultName, format.Name);

        var r = Processor.Process(bytes);
        Assert.Equal(FailureReasons.NotImage, r.FailureReason);
        Assert.Contains("not a supported image format", r.Detail);
    }

    [Fact]
    public void Ingest_registers_exactly_the_five_web_formats()
    {
        var names = IngestImageFormats.CreateConfiguration().ImageFormats.Select(f => f.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["BMP", "GIF", "JPEG", "PNG", "Webp"], names);
    }
}
