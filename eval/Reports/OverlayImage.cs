using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Eval.Metrics;

namespace SSeg.Eval.Reports;

/// <summary>
/// A side-by-side panel: the image, the image blended with the colour-coded ground truth, and blended with the
/// colour-coded prediction (ignore pixels white in the ground truth panel).
/// </summary>
public static class OverlayImage
{
    public static Image<Rgb24> Compose(Image<Rgb24> image, LabelMap groundTruth, LabelMap prediction, int ignoreIndex,
        int labelColorOffset = 0, float alpha = 0.6f)
    {
        int w = image.Width, h = image.Height;
        if (groundTruth.Width != w || prediction.Width != w || groundTruth.Height != h || prediction.Height != h)
            throw new ArgumentException("image, ground truth and prediction must have the same size");
        const int gap = 4;
        var panel = new Image<Rgb24>(3 * w + 2 * gap, h, new Rgb24(255, 255, 255));
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            var px = image[x, y];
            panel[x, y] = px;
            int g = groundTruth[x, y];
            panel[w + gap + x, y] = g == ignoreIndex ? new Rgb24(255, 255, 255) : Blend(px, LabelColors.For(g + labelColorOffset, ignoreIndex), alpha);
            panel[2 * (w + gap) + x, y] = Blend(px, LabelColors.For(prediction[x, y] + labelColorOffset, ignoreIndex), alpha);
        }
        return panel;
    }

    private static Rgb24 Blend(Rgb24 a, Rgb24 b, float alpha) => new(
        (byte)Math.Round(a.R * (1 - alpha) + b.R * alpha),
        (byte)Math.Round(a.G * (1 - alpha) + b.G * alpha),
        (byte)Math.Round(a.B * (1 - alpha) + b.B * alpha));
}
