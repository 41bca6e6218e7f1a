using System.Security.Cryptography;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using IsResizeMode = SixLabors.ImageSharp.Processing.ResizeMode;

namespace SSeg.Ingest.Images;

/// <summary>
/// Downloaded bytes → stored JPEG: header-only identify (pixel-count guard, size filters) before any decode,
/// EXIF orientation, alpha composited on white, resize per <see cref="ImageOptions"/>, JPEG re-encode.
/// A plain 8-bit YCbCr JPEG that needs no change is kept as downloaded when the policy allows
/// (<see cref="ReencodePolicy.WhenNeeded"/>). Decodes only the formats of <see cref="IngestImageFormats"/>.
/// Single-threaded per call; thread-safe across calls.
/// </summary>
public sealed class ImageProcessor
{
    private static readonly Lazy<SixLabors.ImageSharp.Memory.MemoryAllocator> SharedAllocator = new(() =>
        SixLabors.ImageSharp.Memory.MemoryAllocator.Create(new SixLabors.ImageSharp.Memory.MemoryAllocatorOptions { MaximumPoolSizeMegabytes = 64 }));

    private readonly ImageOptions _options;
    private readonly Configuration _config;
    private readonly JpegEncoder _encoder;

    public ImageProcessor(ImageOptions options)
    {
        _options = options;
        _config = IngestImageFormats.CreateConfiguration();
        _config.MaxDegreeOfParallelism = 1;                  // parallelism comes from processing many images at once
        // ImageSharp's default pool may keep up to 1/8 of physical memory; a small pool keeps the stage's memory flat.
        _config.MemoryAllocator = SharedAllocator.Value;
        _config.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { DecodingMode = SixLabors.ImageSharp.Metadata.FrameDecodingMode.First });
        _encoder = new JpegEncoder { Quality = options.JpegQuality, ColorType = JpegColorType.YCbCrRatio420 };
    }

    /// <summary>Gives the shared pool's retained buffers back (after a shard, so an idle host does not keep them).</summary>
    public static void ReleaseRetainedMemory()
    {
        if (SharedAllocator.IsValueCreated) SharedAllocator.Value.ReleaseRetainedResources();
    }

    public ProcessedImage Process(byte[] data)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(data));
        if (data.Length == 0) return ProcessedImage.Fail(sha, FailureReasons.EmptyBody, "empty body");

        IImageInfo? info;
        IImageFormat? format;
        try
        {
            info = Image.Identify(_config, data, out format);
        }
        catch (Exception e) when (e is ImageFormatException or NotSupportedException or InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            return ProcessedImage.Fail(sha, FailureReasons.DecodeError, $"header unreadable: {e.Message}");
        }
        if (info is null || format is null)
            return ProcessedImage.Fail(sha, FailureReasons.NotImage, $"not a supported image format ({Sniff(data)})");

        var orientation = Orientation(info);
        var swap = orientation is >= 5 and <= 8;
        var width = swap ? info.Height : info.Width;
        var height = swap ? info.Width : info.Height;
        if (width <= 0 || height <= 0)
            return ProcessedImage.Fail(sha, FailureReasons.DecodeError, $"{format.Name} header gives size {info.Width}x{info.Height}");
        if ((long)width * height > _options.MaxPixels)
            return ProcessedImage.Fail(sha, FailureReasons.TooManyPixels, $"{width}x{height} = {(long)width * height} pixels > {_options.MaxPixels}", width, height);
        if (Math.Min(width, height) < _options.MinImageSize)
            return ProcessedImage.Fail(sha, FailureReasons.TooSmall, $"{width}x{height}, shorter side < {_options.MinImageSize}", width, height);
        var aspect = (double)Math.Max(width, height) / Math.Min(width, height);
        if (aspect > _options.MaxAspectRatio)
            return ProcessedImage.Fail(sha, FailureReasons.AspectRatio, $"{width}x{height}, aspect ratio {aspect:0.##} > {_options.MaxAspectRatio}", width, height);

        var plan = ResizePlan.For(width, height, _options);
        var isJpeg = format is JpegFormat;
        if (isJpeg)
        {
            var header = JpegHeader.TryRead(data);
            if (header is null)
                return ProcessedImage.Fail(sha, FailureReasons.DecodeError, "JPEG marker segments are broken", width, height);
            if (!header.Value.HasEoi)
                return ProcessedImage.Fail(sha, FailureReasons.DecodeError, "truncated JPEG (no EOI marker at the end)", width, height);
            if (_options.Reencode == ReencodePolicy.WhenNeeded && header.Value.IsPlainYCbCr && orientation <= 1
                && plan.IsIdentity(width, height))
                return new ProcessedImage(data, width, height, width, height, sha, false, null, null);
        }

        try
        {
            return isJpeg ? Transform(Image.Load<Rgb24>(_config, data), width, height, plan, sha)
                          : TransformWithAlpha(Image.Load<Rgba32>(_config, data), width, height, plan, sha);
        }
        catch (Exception e) when (e is ImageFormatException or NotSupportedException or InvalidOperationException or ArgumentException
                                       or IndexOutOfRangeException or EndOfStreamException or OverflowException)
        {
            return ProcessedImage.Fail(sha, FailureReasons.DecodeError, $"{format.Name} decode failed: {e.Message}", width, height);
        }
    }

    private ProcessedImage TransformWithAlpha(Image<Rgba32> image, int width, int height, ResizePlan plan, string sha)
    {
        using (image)
        {
            CompositeOnWhite(image);
            return Transform(image, width, height, plan, sha);
        }
    }

    private ProcessedImage Transform<TPixel>(Image<TPixel> image, int width, int height, ResizePlan plan, string sha)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        using (image)
        {
            // Animated formats: keep the first frame only.
            while (image.Frames.Count > 1) image.Frames.RemoveFrame(image.Frames.Count - 1);
            image.Mutate(x =>
            {
                x.AutoOrient();
                if (plan.Scales(width, height))
                {
                    // Shrinking by 2x or more: box filter = area averaging (OpenCV's INTER_AREA, img2dataset's choice),
                    // about half the cost of a triangle filter at that scale; otherwise bilinear.
                    var sampler = plan.ScaledWidth * 2 <= width ? KnownResamplers.Box : KnownResamplers.Triangle;
                    x.Resize(new ResizeOptions { Size = new Size(plan.ScaledWidth, plan.ScaledHeight), Mode = IsResizeMode.Stretch, Sampler = sampler });
                }
                if (plan.CanvasSize > 0)
                {
                    var s = plan.CanvasSize;
                    if (plan.ScaledWidth > s || plan.ScaledHeight > s)
                    {
                        int cw = Math.Min(s, plan.ScaledWidth), ch = Math.Min(s, plan.ScaledHeight);
                        x.Crop(new Rectangle((plan.ScaledWidth - cw) / 2, (plan.ScaledHeight - ch) / 2, cw, ch));
                    }
                    if (Math.Min(s, plan.ScaledWidth) != s || Math.Min(s, plan.ScaledHeight) != s)
                        x.Resize(new ResizeOptions { Size = new Size(s, s), Mode = IsResizeMode.BoxPad, PadColor = Color.White });
                }
            });
            image.Metadata.ExifProfile = null;
            image.Metadata.IccProfile = null;
            image.Metadata.XmpProfile = null;
            using var ms = new MemoryStream(Math.Max(16 * 1024, image.Width * image.Height / 3));
            image.SaveAsJpeg(ms, _encoder);
            return new ProcessedImage(ms.ToArray(), image.Width, image.Height, width, height, sha, true, null, null);
        }
    }

    private static void CompositeOnWhite(Image<Rgba32> image)
    {
        image.ProcessPixelRows(accessor =>
        {
            for (var y = 0; y < accessor.Height; y++)
            {
                var row = accessor.GetRowSpan(y);
                for (var i = 0; i < row.Length; i++)
                {
                    ref var p = ref row[i];
                    if (p.A == 255) continue;
                    int a = p.A, inv = 255 - a;
                    p.R = (byte)((p.R * a + 255 * inv + 127) / 255);
                    p.G = (byte)((p.G * a + 255 * inv + 127) / 255);
                    p.B = (byte)((p.B * a + 255 * inv + 127) / 255);
                    p.A = 255;
                }
            }
        });
    }

    private static int Orientation(IImageInfo info)
    {
        var value = info.Metadata.ExifProfile?.GetValue(ExifTag.Orientation);
        return value is null ? 1 : value.Value;
    }

    private static string Sniff(byte[] data)
    {
        var head = data.AsSpan(0, Math.Min(16, data.Length)).ToArray();
        var text = new string(head.Select(b => b is >= 32 and < 127 ? (char)b : '.').ToArray());
        return $"{data.Length} bytes starting '{text}'";
    }
}
