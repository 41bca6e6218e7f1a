namespace SSeg.Shards;

/// <summary>
/// The sample key convention: <c>&lt;source&gt;/&lt;shard:5&gt;/&lt;row:5&gt;</c>, e.g. <c>cc3m/00042/00017</c>,
/// where shard is the shard index and row the row index inside that shard's fixed input slice (not the
/// output row, so keys survive failed downloads and re-runs). The ingest stage owns the convention; this is
/// the one place that formats and parses it.
/// </summary>
public static class SampleKey
{
    /// <summary>Formats a key.</summary>
    public static string Format(string source, int shardIndex, int inputRow) => $"{source}/{shardIndex:D5}/{inputRow:D5}";

    /// <summary>Parses a key made by <see cref="Format"/>; false for anything else.</summary>
    public static bool TryParse(string key, out string source, out int shardIndex, out int inputRow)
    {
        source = ""; shardIndex = inputRow = -1;
        var parts = key.Split('/');
        if (parts.Length != 3 || parts[0].Length == 0) return false;
        if (!int.TryParse(parts[1], out shardIndex) || !int.TryParse(parts[2], out inputRow)) return false;
        source = parts[0];
        return true;
    }
}
