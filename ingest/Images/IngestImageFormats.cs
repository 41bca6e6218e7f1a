using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;

namespace SSeg.Ingest.Images;

/// <summary>
/// The image formats ingest decodes: JPEG, PNG, WebP, GIF and BMP, what web image datasets hold. ImageSharp's
/// default configuration also registers TIFF, TGA and PBM; their decoders would only add code that parses
/// untrusted bytes (TIFF's CCITT decoder had an out-of-bounds write advisory). Bytes of any other format are not
/// recognised by this configuration, so they end as the counted <c>not_image</c> failure.
/// </summary>
internal static class IngestImageFormats
{
    public static Configuration CreateConfiguration() => new(
        new JpegConfigurationModule(),
        new PngConfigurationModule(),
        new WebpConfigurationModule(),
        new GifConfigurationModule(),
        new BmpConfigurationModule());
}
