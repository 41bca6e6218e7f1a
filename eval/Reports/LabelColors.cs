using SixLabors.ImageSharp.PixelFormats;
using SSeg.Eval.Datasets;

namespace SSeg.Eval.Reports;

/// <summary>Colours for label indices: the VOC colour map, extended by a hash for indices ≥ 256; ignore is white.</summary>
public static class LabelColors
{
    private static readonly byte[] Palette = IndexedPng.VocPalette();

    public static Rgb24 For(int label, int ignoreIndex)
    {
        if (label == ignoreIndex) return new Rgb24(255, 255, 255);
        if ((uint)label < 256) return new Rgb24(Palette[3 * label], Palette[3 * label + 1], Palette[3 * label + 2]);
        uint h = (uint)label * 2654435761u;
        return new Rgb24((byte)(h >> 24), (byte)(h >> 16), (byte)(h >> 8));
    }
}
