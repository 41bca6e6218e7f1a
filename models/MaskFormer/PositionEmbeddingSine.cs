using static TorchSharp.torch;

namespace SSeg.Models.MaskFormer;

/// <summary>DETR's normalised sine position encoding: per axis <c>featuresPerAxis</c> channels (sin/cos interleaved),
/// cumulative coordinates normalised to (0, 2π], temperature 10000; channel order [y, x]. Output [B, 2F, H, W].</summary>
public static class PositionEmbeddingSine
{
    public static Tensor Compute(long batch, long height, long width, int featuresPerAxis, Device device,
        ScalarType dtype = ScalarType.Float32, double temperature = 10000, double scale = 2 * Math.PI)
    {
        using var scope = NewDisposeScope();
        const double eps = 1e-6;
        var notMask = ones(new long[] { batch, height, width }, dtype: float32, device: device);
        var y = notMask.cumsum(1, float32);
        var x = notMask.cumsum(2, float32);
        y = y / (y.narrow(1, height - 1, 1) + eps) * scale;
        x = x / (x.narrow(2, width - 1, 1) + eps) * scale;
        var dimT = arange(featuresPerAxis, dtype: float32, device: device);
        dimT = pow(temperature, 2 * dimT.floor_divide(2) / featuresPerAxis);
        var posX = x.unsqueeze(-1) / dimT;
        var posY = y.unsqueeze(-1) / dimT;
        posX = stack(new[] { posX[.., .., .., TensorIndex.Slice(0, null, 2)].sin(), posX[.., .., .., TensorIndex.Slice(1, null, 2)].cos() }, 4).flatten(3);
        posY = stack(new[] { posY[.., .., .., TensorIndex.Slice(0, null, 2)].sin(), posY[.., .., .., TensorIndex.Slice(1, null, 2)].cos() }, 4).flatten(3);
        return cat(new[] { posY, posX }, 3).permute(0, 3, 1, 2).to(dtype).MoveToOuterDisposeScope();
    }
}
