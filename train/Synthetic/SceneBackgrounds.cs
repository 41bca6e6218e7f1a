using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace SSeg.Train.Synthetic;

/// <summary>A background scene of the generated recipe: the noun a caption uses for it, the phrases that name it
/// ("on the grass"), and a procedural texture. Textures are busy on purpose (blades, bricks, waves, grain) so that
/// per-image RGB k-means splits the background into several pseudo-masks, as DINO k-means does on real photos.</summary>
public sealed record SceneBackground(string Noun, string[] Phrases, Action<Image<Rgb24>, Random> Paint);

/// <summary>The recipe's backgrounds. Their nouns are ordinary stuff words, all in <see cref="SSeg.Train.Scoring.BackgroundPrompts.Default"/>.</summary>
public static class SceneBackgrounds
{
    public static readonly SceneBackground[] All =
    [
        new("grass", ["on the grass", "in the grass", "on green grass"], Grass),
        new("sand", ["on the sand", "in the sand", "on the warm sand"], Sand),
        new("road", ["on the road", "on an asphalt road", "in the middle of the road"], Road),
        new("wall", ["against a brick wall", "in front of a wall", "on a brick wall"], Bricks),
        new("water", ["in the water", "floating on the water", "on blue water"], Water),
        new("table", ["on a wooden table", "on the table", "lying on a table"], Wood),
    ];

    private static void Grass(Image<Rgb24> image, Random rng)
    {
        var blades = Noise(image.Width, image.Height, rng, 0.35);
        Fill(image, (x, y) =>
        {
            double t = 40 * blades[Math.Min(image.Height - 1, y / 3 * 3) * image.Width + x] + (rng.NextDouble() - 0.5) * 24;
            return (55 + 0.4 * t, 125 + t, 50 + 0.3 * t);
        });
    }

    private static void Sand(Image<Rgb24> image, Random rng)
    {
        double period = 9 + rng.Next(8), phase = rng.NextDouble() * 6.3;
        Fill(image, (x, y) =>
        {
            double t = 10 * Math.Sin((y + 3 * Math.Sin(x / 7.0)) * 2 * Math.PI / period + phase) + (rng.NextDouble() - 0.5) * 30;
            return (190 + t, 165 + t, 115 + 0.8 * t);
        });
    }

    private static void Road(Image<Rgb24> image, Random rng)
    {
        int lane = image.Width / 3 + rng.Next(image.Width / 3);
        bool horizontal = rng.Next(2) == 0;
        Fill(image, (x, y) =>
        {
            int along = horizontal ? x : y, across = horizontal ? y : x;
            bool line = Math.Abs(across - lane) < 2 && along / 8 % 2 == 0;
            double t = (rng.NextDouble() - 0.5) * 36;
            return line ? (225 + t / 3, 225 + t / 3, 215 + t / 3) : (95 + t, 95 + t, 100 + t);
        });
    }

    private static void Bricks(Image<Rgb24> image, Random rng)
    {
        int rowHeight = 9 + rng.Next(4), brickWidth = 18 + rng.Next(8);
        var shade = Enumerable.Range(0, 256).Select(_ => (rng.NextDouble() - 0.5) * 40).ToArray();
        Fill(image, (x, y) =>
        {
            int row = y / rowHeight, offset = row % 2 * brickWidth / 2, col = (x + offset) / brickWidth;
            bool mortar = y % rowHeight < 2 || (x + offset) % brickWidth < 2;
            double t = (rng.NextDouble() - 0.5) * 16;
            if (mortar) return (190 + t, 185 + t, 175 + t);
            double s = shade[(row * 31 + col * 7) & 255];
            return (150 + s + t, 75 + s / 2 + t, 55 + s / 3 + t);
        });
    }

    private static void Water(Image<Rgb24> image, Random rng)
    {
        double period = 7 + rng.Next(6), phase = rng.NextDouble() * 6.3;
        Fill(image, (x, y) =>
        {
            double wave = Math.Sin((y + 2.5 * Math.Sin(x / 5.0 + phase)) * 2 * Math.PI / period);
            double t = 28 * Math.Max(0, wave) * Math.Max(0, wave) + (rng.NextDouble() - 0.5) * 16;
            return (35 + t, 120 + t, 160 + t);
        });
    }

    private static void Wood(Image<Rgb24> image, Random rng)
    {
        double period = 5 + rng.Next(5), phase = rng.NextDouble() * 6.3;
        var wobble = Noise(image.Width, image.Height, rng, 0.5);
        Fill(image, (x, y) =>
        {
            double grain = Math.Sin((x + 6 * wobble[y * image.Width + x]) * 2 * Math.PI / period + phase);
            double t = 22 * grain + (rng.NextDouble() - 0.5) * 14;
            return (140 + t, 95 + 0.8 * t, 55 + 0.5 * t);
        });
    }

    /// <summary>Smooth value noise in [-1, 1] (bilinear interpolation of a coarse random grid of the given density).</summary>
    private static double[] Noise(int width, int height, Random rng, double density)
    {
        int cell = Math.Max(2, (int)Math.Round(1 / density * 4));
        int gw = width / cell + 2, gh = height / cell + 2;
        var grid = Enumerable.Range(0, gw * gh).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var result = new double[width * height];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double gx = (double)x / cell, gy = (double)y / cell;
                int x0 = (int)gx, y0 = (int)gy;
                double fx = gx - x0, fy = gy - y0;
                double top = grid[y0 * gw + x0] * (1 - fx) + grid[y0 * gw + x0 + 1] * fx;
                double bottom = grid[(y0 + 1) * gw + x0] * (1 - fx) + grid[(y0 + 1) * gw + x0 + 1] * fx;
                result[y * width + x] = top * (1 - fy) + bottom * fy;
            }
        return result;
    }

    private static void Fill(Image<Rgb24> image, Func<int, int, (double R, double G, double B)> colour)
    {
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
            {
                var (r, g, b) = colour(x, y);
                image[x, y] = new Rgb24(Clamp(r), Clamp(g), Clamp(b));
            }
    }

    internal static byte Clamp(double v) => (byte)Math.Clamp((int)Math.Round(v), 0, 255);
}
