namespace SSeg.Selftrain.Data;

/// <summary>
/// mmsegmentation's PhotoMetricDistortion on an 8-bit RGB raster, each step with probability 0.5: brightness
/// (delta ±32), contrast (×0.5–1.5) before or after the HSV steps (random order), saturation (×0.5–1.5) and hue
/// (±18 on OpenCV's 0–180 scale). Every step clips to 0–255.
/// </summary>
public static class PhotometricDistortion
{
    public static void Apply(byte[] rgb, Random rng)
    {
        if (rng.Next(2) == 1) Convert(rgb, 1.0, Uniform(rng, -32, 32));
        var contrastFirst = rng.Next(2) == 1;
        if (contrastFirst && rng.Next(2) == 1) Convert(rgb, Uniform(rng, 0.5, 1.5), 0);
        var saturate = rng.Next(2) == 1;
        var saturation = saturate ? Uniform(rng, 0.5, 1.5) : 1.0;
        var shiftHue = rng.Next(2) == 1;
        var hueDelta = shiftHue ? rng.Next(-18, 18) : 0;
        if (saturate || shiftHue) AdjustHsv(rgb, saturation, hueDelta);
        if (!contrastFirst && rng.Next(2) == 1) Convert(rgb, Uniform(rng, 0.5, 1.5), 0);
    }

    private static double Uniform(Random rng, double low, double high) => low + (high - low) * rng.NextDouble();

    private static void Convert(byte[] rgb, double alpha, double beta)
    {
        for (var i = 0; i < rgb.Length; i++) rgb[i] = (byte)Math.Clamp(rgb[i] * alpha + beta, 0, 255);
    }

    /// <summary>Scales saturation and shifts hue (degrees/2, modulo 180) in OpenCV's 8-bit HSV.</summary>
    private static void AdjustHsv(byte[] rgb, double saturation, int hueDelta)
    {
        for (var i = 0; i < rgb.Length; i += 3)
        {
            double r = rgb[i], g = rgb[i + 1], b = rgb[i + 2];
            double v = Math.Max(r, Math.Max(g, b)), min = Math.Min(r, Math.Min(g, b)), delta = v - min;
            var s = v == 0 ? 0 : Math.Round(255 * delta / v);
            double h = 0;
            if (delta > 0)
            {
                h = v == r ? 60 * (g - b) / delta : v == g ? 120 + 60 * (b - r) / delta : 240 + 60 * (r - g) / delta;
                if (h < 0) h += 360;
            }
            var h8 = (int)Math.Round(h / 2) % 180;
            s = Math.Clamp(s * saturation, 0, 255);
            h8 = ((h8 + hueDelta) % 180 + 180) % 180;
            // back to RGB
            double sf = Math.Floor(s) / 255.0, hd = h8 * 2.0;
            var c = v * sf;
            var x = c * (1 - Math.Abs(hd / 60 % 2 - 1));
            var m = v - c;
            (double R, double G, double B) p = (hd / 60) switch
            {
                < 1 => (c, x, 0),
                < 2 => (x, c, 0),
                < 3 => (0, c, x),
                < 4 => (0, x, c),
                < 5 => (x, 0, c),
                _ => (c, 0, x),
            };
            rgb[i] = (byte)Math.Clamp(Math.Round(p.R + m), 0, 255);
            rgb[i + 1] = (byte)Math.Clamp(Math.Round(p.G + m), 0, 255);
            rgb[i + 2] = (byte)Math.Clamp(Math.Round(p.B + m), 0, 255);
        }
    }
}
