using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace SSeg.Tests.Common;

/// <summary>Checks that a written plot is a real picture: PNG signature, decodable, the expected size, and drawn on
/// (many colours, dark text/line pixels) rather than an empty canvas.</summary>
public static class PlotAssert
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static void IsDrawnPng(string path, int width, int? height = null)
    {
        Assert.True(File.Exists(path), $"{path} was not written");
        IsDrawnPng(File.ReadAllBytes(path), width, height, path);
    }

    public static void IsDrawnPng(byte[] bytes, int width, int? height = null, string what = "plot")
    {
        Assert.True(bytes.Length > Signature.Length && bytes.AsSpan(0, Signature.Length).SequenceEqual(Signature), $"{what}: no PNG signature");
        using var image = Image.Load<Rgba32>(bytes);
        Assert.Equal(width, image.Width);
        if (height is { } h) Assert.Equal(h, image.Height);
        var colours = new HashSet<Rgba32>();
        long dark = 0;
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
                foreach (var p in rows.GetRowSpan(y))
                {
                    colours.Add(p);
                    if (p.R < 80 && p.G < 80 && p.B < 80) dark++;
                }
        });
        Assert.True(colours.Count >= 16, $"{what}: only {colours.Count} colours (an empty canvas?)");
        Assert.True(dark > 500, $"{what}: only {dark} dark pixels (no axes, text or lines?)");
    }
}
