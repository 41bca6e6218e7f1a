namespace SSeg.Train.Data;

/// <summary>A crop rectangle in source pixels plus the horizontal flip decision.</summary>
public readonly record struct CropBox(int Left, int Top, int Width, int Height, bool Flip);

/// <summary>torchvision's RandomResizedCrop parameter sampling (scale and log-uniform aspect ratio, 10 tries, then a
/// centre crop with the ratio clamped) and a p = 0.5 horizontal flip (docs/method.md §2.3).</summary>
public sealed record RandomResizedCrop(double MinScale = 0.08, double MaxScale = 1.0, double MinRatio = 3.0 / 4, double MaxRatio = 4.0 / 3, double FlipProbability = 0.5)
{
    public CropBox Sample(int width, int height, Random rng)
    {
        double area = (double)width * height;
        double logMin = Math.Log(MinRatio), logMax = Math.Log(MaxRatio);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double target = area * (MinScale + rng.NextDouble() * (MaxScale - MinScale));
            double aspect = Math.Exp(logMin + rng.NextDouble() * (logMax - logMin));
            int w = (int)Math.Round(Math.Sqrt(target * aspect));
            int h = (int)Math.Round(Math.Sqrt(target / aspect));
            if (w > 0 && h > 0 && w <= width && h <= height)
            {
                int top = rng.Next(height - h + 1);
                int left = rng.Next(width - w + 1);
                return new CropBox(left, top, w, h, rng.NextDouble() < FlipProbability);
            }
        }
        // Fallback: central crop with the ratio clamped to the allowed range.
        double inRatio = (double)width / height;
        int cw, ch;
        if (inRatio < MinRatio) { cw = width; ch = (int)Math.Round(cw / MinRatio); }
        else if (inRatio > MaxRatio) { ch = height; cw = (int)Math.Round(ch * MaxRatio); }
        else { cw = width; ch = height; }
        return new CropBox((width - cw) / 2, (height - ch) / 2, cw, ch, rng.NextDouble() < FlipProbability);
    }
}
