namespace SSeg.Selftrain.Data;

/// <summary>cv2-like resizes on byte rasters: bilinear with half-pixel centres (no antialias) and nearest.</summary>
public static class PixelResize
{
    /// <summary>mmcv keep-ratio rescale size for a (long, short) scale: factor = min(long/long side, short/short side).</summary>
    public static (int Width, int Height) RescaleSize(int width, int height, double scaleLong, double scaleShort)
    {
        var factor = Math.Min(scaleLong / Math.Max(width, height), scaleShort / Math.Min(width, height));
        return (Math.Max(1, (int)(width * factor + 0.5)), Math.Max(1, (int)(height * factor + 0.5)));
    }

    public static byte[] Bilinear(byte[] src, int width, int height, int channels, int newWidth, int newHeight)
    {
        if (newWidth == width && newHeight == height) return (byte[])src.Clone();
        var dst = new byte[newWidth * newHeight * channels];
        double sx = (double)width / newWidth, sy = (double)height / newHeight;
        for (var y = 0; y < newHeight; y++)
        {
            var fy = Math.Clamp((y + 0.5) * sy - 0.5, 0, height - 1);
            int y0 = (int)fy, y1 = Math.Min(y0 + 1, height - 1);
            var wy = fy - y0;
            for (var x = 0; x < newWidth; x++)
            {
                var fx = Math.Clamp((x + 0.5) * sx - 0.5, 0, width - 1);
                int x0 = (int)fx, x1 = Math.Min(x0 + 1, width - 1);
                var wx = fx - x0;
                for (var c = 0; c < channels; c++)
                {
                    double a = src[(y0 * width + x0) * channels + c], b = src[(y0 * width + x1) * channels + c];
                    double d = src[(y1 * width + x0) * channels + c], e = src[(y1 * width + x1) * channels + c];
                    var v = (a * (1 - wx) + b * wx) * (1 - wy) + (d * (1 - wx) + e * wx) * wy;
                    dst[(y * newWidth + x) * channels + c] = (byte)Math.Clamp(Math.Round(v), 0, 255);
                }
            }
        }
        return dst;
    }

    public static byte[] Nearest(byte[] src, int width, int height, int newWidth, int newHeight)
    {
        if (newWidth == width && newHeight == height) return (byte[])src.Clone();
        var dst = new byte[newWidth * newHeight];
        for (var y = 0; y < newHeight; y++)
        {
            var sy = Math.Min((int)Math.Floor(y * (double)height / newHeight), height - 1);
            for (var x = 0; x < newWidth; x++)
            {
                var sx = Math.Min((int)Math.Floor(x * (double)width / newWidth), width - 1);
                dst[y * newWidth + x] = src[sy * width + sx];
            }
        }
        return dst;
    }
}
