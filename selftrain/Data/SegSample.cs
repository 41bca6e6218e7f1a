namespace SSeg.Selftrain.Data;

/// <summary>An RGB image (row-major, 3 bytes per pixel) with its label map (one byte per pixel, 255 = ignore).</summary>
public sealed record SegSample(int Width, int Height, byte[] Rgb, byte[] Labels)
{
    public void Validate(string what)
    {
        if (Width <= 0 || Height <= 0) throw new ArgumentException($"{what}: bad size {Width}x{Height}.");
        if (Rgb.Length != Width * Height * 3) throw new ArgumentException($"{what}: {Rgb.Length} image bytes for {Width}x{Height}x3.");
        if (Labels.Length != Width * Height) throw new ArgumentException($"{what}: {Labels.Length} labels for {Width}x{Height}.");
    }
}
