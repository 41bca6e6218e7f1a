using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Ingest.Images;
using SSeg.Tests.Common;

namespace SSeg.Ingest.Tests;

public sealed class ImageProcessorTests
{
    private static string Formats(string name) => Path.Combine(RepoPaths.Photos, "formats", name);
    private static byte[] Bytes(string path) => File.ReadAllBytes(path);
    private static readonly ImageProcessor Default = new(new ImageOptions());

    /// <summary>Files ImageSharp 2.1 cannot decode (or that are broken) and the reason they must fail with.</summary>
    public static readonly Dictionary<string, string> ExpectedFailures = new()
    {
        ["cameratrapai_african_elephants_truncated_file.jpg"] = "decode_error",
        ["libjpeg-turbo_testimgari.jpg"] = "decode_error",   // arithmetic coding: not supported by ImageSharp 2.1
        ["pillow_iss634.webp"] = "decode_error",             // animated WebP: not supported by ImageSharp 2.1
    };

    public static IEnumerable<object[]> FormatFiles() =>
        Directory.GetFiles(Path.Combine(RepoPaths.Photos, "formats"))
            .Where(f => !f.EndsWith(".txt", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).Select(f => new object[] { Path.GetFileName(f) });

    [Theory]
    [MemberData(nameof(FormatFiles))]
    public void Every_format_file_becomes_a_decodable_jpeg_or_a_counted_failure(string name)
    {
        var r = Default.Process(Bytes(Formats(name)));
        if (ExpectedFailures.TryGetValue(name, out var reason))
        {
            Assert.Equal(reason, r.FailureReason);
            Assert.False(string.IsNullOrEmpty(r.Detail));
            return;
        }
        Assert.True(r.Ok, $"{name}: {r.FailureReason} {r.Detail}");
        using var decoded = Image.Load<Rgb24>(r.Jpeg!, out var format);
        Assert.Equal("JPEG", format.Name);
        Assert.Equal(r.Width, decoded.Width);
        Assert.Equal(r.Height, decoded.Height);
        Assert.True(Math.Min(r.Width, r.Height) <= 512);
        Assert.Equal(64, r.Sha256.Length);
    }

    [Fact]
    public void Exif_orientation_is_applied()
    {
        // Stored 1536x2048 with an Orientation tag that turns it into landscape.
        var r = Default.Process(Bytes(Formats("cameratrapai_african_elephants_with_exif_orientation.jpg")));
        Assert.True(r.Ok, r.Detail);
        Assert.Equal((2048, 1536), (r.OriginalWidth, r.OriginalHeight));
        Assert.Equal((683, 512), (r.Width, r.Height));
    }

    [Fact]
    public void Transparent_pixels_become_white()
    {
        var path = Formats("pillow_transparent.png");
        using var source = Image.Load<Rgba32>(path);
        var (tx, ty) = (-1, -1);
        for (var y = 0; y < source.Height && tx < 0; y += 4)
            for (var x = 0; x < source.Width; x += 4)
                if (source[x, y].A == 0 && Surrounded(source, x, y)) { (tx, ty) = (x, y); break; }
        Assert.True(tx >= 0, "fixture has a fully transparent area");
        var r = Default.Process(Bytes(path));
        Assert.True(r.Ok, r.Detail);
        using var output = Image.Load<Rgb24>(r.Jpeg!);
        var p = output[tx, ty];
        Assert.True(p.R > 240 && p.G > 240 && p.B > 240, $"pixel ({tx},{ty}) is {p}");
    }

    private static bool Surrounded(Image<Rgba32> img, int x, int y)
    {
        for (var dy = -3; dy <= 3; dy++)
            for (var dx = -3; dx <= 3; dx++)
            {
                int xx = x + dx, yy = y + dy;
                if (xx < 0 || yy < 0 || xx >= img.Width || yy >= img.Height || img[xx, yy].A != 0) return false;
            }
        return true;
    }

    [Theory]
    [InlineData(ResizeMode.KeepRatio, 683, 512)]
    [InlineData(ResizeMode.CenterCrop, 512, 512)]
    [InlineData(ResizeMode.Border, 512, 512)]
    [InlineData(ResizeMode.No, 2048, 1536)]
    public void Resize_modes_give_img2dataset_geometry(ResizeMode mode, int w, int h)
    {
        var r = new ImageProcessor(new ImageOptions { Mode = mode }).Process(Bytes(Path.Combine(RepoPaths.Photos, "large", "domestic_dog.jpg")));
        Assert.True(r.Ok, r.Detail);
        Assert.Equal((w, h), (r.Width, r.Height));
        Assert.Equal((2048, 1536), (r.OriginalWidth, r.OriginalHeight));
        if (mode == ResizeMode.Border)
        {
            using var img = Image.Load<Rgb24>(r.Jpeg!);
            var top = img[256, 5];            // 512x384 content centred: rows 0..63 are padding
            Assert.True(top.R > 245 && top.G > 245 && top.B > 245, $"border pixel {top}");
        }
    }

    [Fact]
    public void Small_images_are_not_upscaled_by_default_but_can_be()
    {
        var bytes = Bytes(Formats("pillow_hopper.png"));
        Assert.Equal((128, 128), Size(Default.Process(bytes)));
        var up = new ImageProcessor(new ImageOptions { ImageSize = 256, ResizeOnlyIfBigger = false }).Process(bytes);
        Assert.Equal((256, 256), Size(up));
    }

    private static (int, int) Size(ProcessedImage r) => (r.Width, r.Height);

    [Fact]
    public void Min_size_and_aspect_ratio_filters()
    {
        var bytes = Bytes(Formats("pillow_hopper.png"));   // 128x128
        Assert.Equal("too_small", new ImageProcessor(new ImageOptions { MinImageSize = 200 }).Process(bytes).FailureReason);
        var wide = Bytes(Path.Combine(RepoPaths.Photos, "large", "vehicle.jpg"));   // 4:3
        Assert.Equal("aspect_ratio", new ImageProcessor(new ImageOptions { MaxAspectRatio = 1.2 }).Process(wide).FailureReason);
        Assert.True(new ImageProcessor(new ImageOptions { MaxAspectRatio = 1.4 }).Process(wide).Ok);
    }

    [Fact]
    public void Decompression_bomb_is_refused_from_the_header()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var r = Default.Process(FaultServer.BombPng.Value);
        Assert.Equal("too_many_pixels", r.FailureReason);
        Assert.Equal((20000, 20000), (r.OriginalWidth, r.OriginalHeight));
        Assert.True(clock.ElapsedMilliseconds < 5000);
    }

    [Fact]
    public void A_jpeg_that_needs_no_change_is_kept_as_downloaded_unless_policy_says_always()
    {
        var path = Formats("libjpeg-turbo_testorig.jpg");
        var bytes = Bytes(path);
        var kept = Default.Process(bytes);
        Assert.False(kept.Reencoded);
        Assert.Equal(bytes, kept.Jpeg);
        var always = new ImageProcessor(new ImageOptions { Reencode = ReencodePolicy.Always }).Process(bytes);
        Assert.True(always.Reencoded);
        Assert.NotEqual(bytes, always.Jpeg);
        Assert.Equal(kept.Sha256, always.Sha256);   // the hash is of the downloaded bytes
    }

    [Fact]
    public void Cmyk_and_grayscale_jpegs_are_always_reencoded_to_rgb()
    {
        foreach (var name in new[] { "pillow_pil_sample_cmyk.jpg", "cameratrapai_african_elephants_bw.jpg" })
        {
            var r = Default.Process(Bytes(Formats(name)));
            Assert.True(r.Reencoded, name);
            Assert.Equal(3, JpegHeader.TryRead(r.Jpeg!)!.Value.Components);
        }
    }

    [Fact]
    public void Non_images_and_garbage_fail_with_a_reason()
    {
        Assert.Equal("not_image", Default.Process("<!doctype html><html></html>"u8.ToArray()).FailureReason);
        Assert.Equal("empty_body", Default.Process([]).FailureReason);
        var truncatedPng = Bytes(Formats("skimage_chelsea.png"))[..5000];
        Assert.Equal("decode_error", Default.Process(truncatedPng).FailureReason);
    }
}
