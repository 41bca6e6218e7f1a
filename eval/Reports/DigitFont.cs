using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace SSeg.Eval.Reports;

/// <summary>A 3×5 pixel digit font (plus '.' and '%') for chart labels, drawn with pixel writes.</summary>
internal static class DigitFont
{
    public const int Width = 3, Height = 5;

    // Each glyph: 5 rows of 3 bits, most significant bit = left column.
    private static readonly Dictionary<char, int[]> Glyphs = new()
    {
        ['0'] = new[] { 7, 5, 5, 5, 7 }, ['1'] = new[] { 2, 6, 2, 2, 7 }, ['2'] = new[] { 7, 1, 7, 4, 7 },
        ['3'] = new[] { 7, 1, 7, 1, 7 }, ['4'] = new[] { 5, 5, 7, 1, 1 }, ['5'] = new[] { 7, 4, 7, 1, 7 },
        ['6'] = new[] { 7, 4, 7, 5, 7 }, ['7'] = new[] { 7, 1, 1, 2, 2 }, ['8'] = new[] { 7, 5, 7, 5, 7 },
        ['9'] = new[] { 7, 5, 7, 1, 7 }, ['.'] = new[] { 0, 0, 0, 0, 2 }, ['%'] = new[] { 5, 1, 2, 4, 5 },
    };

    /// <summary>Pixel width of a text (glyphs plus 1-pixel gaps).</summary>
    public static int Measure(string text) => text.Length == 0 ? 0 : text.Length * (Width + 1) - 1;

    /// <summary>Draws text with its top-left corner at (x, y); unknown characters leave a blank; clipped at the edges.</summary>
    public static void Draw(Image<Rgb24> image, string text, int x, int y, Rgb24 color)
    {
        foreach (var ch in text)
        {
            if (Glyphs.TryGetValue(ch, out var rows))
                for (int r = 0; r < Height; r++)
                for (int c = 0; c < Width; c++)
                {
                    if ((rows[r] >> (Width - 1 - c) & 1) == 0) continue;
                    int px = x + c, py = y + r;
                    if (px >= 0 && py >= 0 && px < image.Width && py < image.Height) image[px, py] = color;
                }
            x += Width + 1;
        }
    }
}
