using SSeg.Models;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SSeg.Selftrain.Model;

/// <summary>
/// Loads an MAE pretraining checkpoint (weights under <c>model</c>, DINO key names) into an S-Seg+ backbone.
/// The absolute position embedding is resized to the backbone's crop grid as mmsegmentation does
/// (bicubic by size, align_corners=False, CLS kept); decoder, mask-token and classifier keys are ignored.
/// </summary>
public static class MaeCheckpoint
{
    /// <summary>Keys of an MAE checkpoint that the segmentation backbone does not use.</summary>
    public static bool IsIgnored(string key) =>
        key.StartsWith("decoder_", StringComparison.Ordinal) || key == "mask_token" ||
        key.StartsWith("head.", StringComparison.Ordinal) || key.StartsWith("fc_norm.", StringComparison.Ordinal);

    /// <summary>Loads <paramref name="path"/> into <paramref name="backbone"/>; throws naming missing/mis-shaped keys.</summary>
    public static LoadReport LoadInto(VisionTransformer backbone, string path)
    {
        using var read = CheckpointLoader.Read(path);
        var tensors = new Dictionary<string, Tensor>(read.Tensors);
        var gridSide = backbone.Config.GridSide;
        using var resized = tensors.TryGetValue("pos_embed", out var pos) ? ResizePositionEmbedding(pos, gridSide, gridSide) : null;
        if (resized is not null) tensors["pos_embed"] = resized;
        var adapted = new StateDict(tensors, read.Path, read.Format, read.Sha256, read.Metadata);
        var report = CheckpointLoader.LoadInto(backbone, adapted, strict: false, ignore: IsIgnored);
        // The final norm is not used by the segmentation taps; an encoder saved without it still loads.
        var missing = report.Missing.Where(k => !k.StartsWith("norm.", StringComparison.Ordinal)).ToList();
        if (missing.Count > 0 || report.Unexpected.Count > 0 || report.Mismatched.Count > 0)
            throw new CheckpointMismatchException(report with { Missing = missing });
        return report;
    }

    /// <summary>
    /// [1, 1+N, D] with a square √N grid → [1, 1+gh·gw, D]: CLS kept, patch grid resized with bicubic
    /// interpolation by size (align_corners=False), mmsegmentation's resize_pos_embed.
    /// </summary>
    public static Tensor ResizePositionEmbedding(Tensor posEmbed, long gridHeight, long gridWidth)
    {
        var n = posEmbed.shape[1] - 1;
        var dim = posEmbed.shape[2];
        var side = (long)Math.Round(Math.Sqrt(n));
        if (side * side != n) throw new ArgumentException($"Position embedding with {n} patch positions is not a square grid.");
        if (side == gridHeight && side == gridWidth) return posEmbed.clone();
        using var scope = NewDisposeScope();
        var cls = posEmbed.narrow(1, 0, 1);
        var grid = posEmbed.narrow(1, 1, n).reshape(1, side, side, dim).permute(0, 3, 1, 2);
        var resized = F.interpolate(grid, new[] { gridHeight, gridWidth }, mode: InterpolationMode.Bicubic, align_corners: false);
        var flat = resized.permute(0, 2, 3, 1).reshape(1, gridHeight * gridWidth, dim);
        return torch.cat(new[] { cls, flat }, 1).MoveToOuterDisposeScope();
    }
}
