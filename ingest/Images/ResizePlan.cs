namespace SSeg.Ingest.Images;

/// <summary>The geometry of a resize: the scaled size, then the square canvas (crop or pad) if any.</summary>
public readonly record struct ResizePlan(int ScaledWidth, int ScaledHeight, int CanvasSize)
{
    public bool Scales(int width, int height) => ScaledWidth != width || ScaledHeight != height;

    public int FinalWidth => CanvasSize > 0 ? CanvasSize : ScaledWidth;
    public int FinalHeight => CanvasSize > 0 ? CanvasSize : ScaledHeight;

    public bool IsIdentity(int width, int height) => !Scales(width, height) && FinalWidth == width && FinalHeight == height;

    public static ResizePlan For(int width, int height, ImageOptions o)
    {
        var size = o.ImageSize;
        switch (o.Mode)
        {
            case ResizeMode.No:
                return new ResizePlan(width, height, 0);
            case ResizeMode.KeepRatio:
            case ResizeMode.CenterCrop:
            {
                var shorter = Math.Min(width, height);
                var (w, h) = shorter > size || (!o.ResizeOnlyIfBigger && shorter != size)
                    ? ScaleTo(width, height, (double)size / shorter)
                    : (width, height);
                return new ResizePlan(w, h, o.Mode == ResizeMode.CenterCrop ? size : 0);
            }
            case ResizeMode.Border:
            {
                var longer = Math.Max(width, height);
                var (w, h) = longer > size || (!o.ResizeOnlyIfBigger && longer != size)
                    ? ScaleTo(width, height, (double)size / longer)
                    : (width, height);
                return new ResizePlan(w, h, size);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(o), o.Mode, "unknown resize mode");
        }
    }

    private static (int, int) ScaleTo(int width, int height, double scale) =>
        (Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
}
