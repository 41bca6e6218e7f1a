using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Eval.Protocol;

/// <summary>
/// mmcv's keep-ratio rescale (<c>imrescale</c> with scale (long cap, short)) and the test image tensor:
/// scale = min(longCap / long side, short / short side); new size = int(size·scale + 0.5); bilinear
/// (half-pixel centres, no antialias, like cv2 INTER_LINEAR), rounded back to 8-bit like mmcv's uint8 output,
/// then normalized with the ImageNet mean/std on 0–255.
/// </summary>
public static class KeepRatioResize
{
    private static readonly float[] Mean = { 123.675f, 116.28f, 103.53f };
    private static readonly float[] Std = { 58.395f, 57.12f, 57.375f };

    /// <summary>The (width, height) mmcv gives an image of the given size.</summary>
    public static (int Width, int Height) TargetSize(int width, int height, int shortSide = 448, int longSideCap = 2048)
    {
        double scale = Math.Min((double)longSideCap / Math.Max(width, height), (double)shortSide / Math.Min(width, height));
        return ((int)(width * scale + 0.5), (int)(height * scale + 0.5));
    }

    /// <summary>RGB pixels as a float tensor [1, 3, H, W] with values 0–255.</summary>
    public static Tensor ToTensor(Image<Rgb24> image)
    {
        int w = image.Width, h = image.Height;
        var data = new float[3 * h * w];
        int plane = h * w;
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++)
                {
                    int i = y * w + x;
                    data[i] = row[x].R;
                    data[plane + i] = row[x].G;
                    data[2 * plane + i] = row[x].B;
                }
            }
        });
        return tensor(data, new long[] { 1, 3, h, w });
    }

    /// <summary>Bilinear resize of a 0–255 image tensor [1,3,H,W] to (width, height), rounded and clamped to 8-bit values.</summary>
    public static Tensor ResizeImage(Tensor image255, int width, int height)
    {
        using var scope = NewDisposeScope();
        if (image255.shape[2] == height && image255.shape[3] == width) return image255.clone().MoveToOuterDisposeScope();
        var resized = nn.functional.interpolate(image255, new long[] { height, width }, mode: InterpolationMode.Bilinear,
            align_corners: false);
        return resized.round().clamp(0, 255).MoveToOuterDisposeScope();
    }

    /// <summary>Normalizes a 0–255 RGB tensor [B,3,H,W] with the ImageNet mean/std (docs/method.md §2.3).</summary>
    public static Tensor Normalize(Tensor image255)
    {
        using var scope = NewDisposeScope();
        var mean = tensor(Mean, new long[] { 1, 3, 1, 1 }).to(image255.device);
        var std = tensor(Std, new long[] { 1, 3, 1, 1 }).to(image255.device);
        return ((image255 - mean) / std).MoveToOuterDisposeScope();
    }

    /// <summary>The model input for an image: keep-ratio resized and normalized, [1, 3, H', W'] on <paramref name="device"/>.</summary>
    public static Tensor Prepare(Image<Rgb24> image, InferenceOptions options, Device device)
    {
        using var scope = NewDisposeScope();
        var (w, h) = TargetSize(image.Width, image.Height, options.ShortSide, options.LongSideCap);
        var t = ToTensor(image).to(device);
        return Normalize(ResizeImage(t, w, h)).MoveToOuterDisposeScope();
    }
}
