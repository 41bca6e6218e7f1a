namespace SSeg.Pseudomask;

/// <summary>
/// A cluster-id map at patch-grid resolution: row-major bytes, ids 0..Segments-1. Stored in mask shards with
/// <see cref="SSeg.Shards.MaskPng"/>.
/// </summary>
public sealed record ClusterMap(int Height, int Width, byte[] Ids, int Segments)
{
    /// <summary>
    /// Renumbers raw cluster labels (any values &lt; 256) in order of first appearance in raster order, so equal
    /// partitions get equal ids (and byte-identical PNGs) whatever numbering k-means gave them.
    /// </summary>
    public static ClusterMap Compact(int height, int width, ReadOnlySpan<long> labels)
    {
        if (labels.Length != height * width) throw new ArgumentException($"{labels.Length} labels for a {height}x{width} grid");
        Span<int> map = stackalloc int[256];
        map.Fill(-1);
        var ids = new byte[labels.Length];
        var next = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var raw = (int)labels[i];
            if ((uint)raw > 255) throw new ArgumentOutOfRangeException(nameof(labels), $"cluster id {raw} does not fit a byte");
            if (map[raw] < 0) map[raw] = next++;
            ids[i] = (byte)map[raw];
        }
        return new ClusterMap(height, width, ids, next);
    }
}
