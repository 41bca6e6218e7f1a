using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SSeg.Models;

/// <summary>DINO's position-embedding interpolation for input grids other than the trained one.</summary>
public static class PositionEmbedding
{
    /// <summary>
    /// Position embedding [1, 1 + gh*gw, D] for a gh x gw patch grid from a learned one [1, 1 + N, D] with a
    /// square √N x √N grid. Unchanged when the grid is the trained one. Otherwise the patch part is resized with
    /// bicubic interpolation (align_corners=False) given as a scale factor ((g+0.1)/√N) per axis, exactly as DINO
    /// does: the kernel maps coordinates with that scale, not with out/in, so the result differs slightly
    /// from a size-based resize.
    /// </summary>
    public static Tensor Interpolate(Tensor posEmbed, long gridHeight, long gridWidth)
    {
        var n = posEmbed.shape[1] - 1;
        var dim = posEmbed.shape[2];
        if (gridHeight * gridWidth == n && gridHeight == gridWidth) return posEmbed.alias();
        var side = (long)Math.Round(Math.Sqrt(n));
        if (side * side != n)
            throw new ArgumentException($"Position embedding with {n} patch positions is not a square grid.");

        using var scope = NewDisposeScope();
        var cls = posEmbed.narrow(1, 0, 1);
        var grid = posEmbed.narrow(1, 1, n).reshape(1, side, side, dim).permute(0, 3, 1, 2);
        var scale = new[] { (gridHeight + 0.1) / side, (gridWidth + 0.1) / side };
        var resized = F.interpolate(grid, scale_factor: scale, mode: InterpolationMode.Bicubic,
            align_corners: false, recompute_scale_factor: false);
        if (resized.shape[2] != gridHeight || resized.shape[3] != gridWidth)
            throw new InvalidOperationException(
                $"Interpolated position grid is {resized.shape[2]}x{resized.shape[3]}, expected {gridHeight}x{gridWidth}.");
        var flat = resized.permute(0, 2, 3, 1).reshape(1, gridHeight * gridWidth, dim);
        return torch.cat(new[] { cls, flat }, 1).MoveToOuterDisposeScope();
    }
}
