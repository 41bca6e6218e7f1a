namespace SSeg.Pipelines.Cli.Ingest;

/// <summary>`--shards a-b` (inclusive), `a`, `a-` (to the end) or `-b`, clipped to the shards that exist.</summary>
internal static class ShardRange
{
    public static (int First, int Last) Parse(string? text, int shardCount)
    {
        if (string.IsNullOrWhiteSpace(text)) return (0, shardCount - 1);
        var dash = text.IndexOf('-');
        int first, last;
        if (dash < 0) first = last = ParseIndex(text, text);
        else
        {
            first = dash == 0 ? 0 : ParseIndex(text[..dash], text);
            last = dash == text.Length - 1 ? shardCount - 1 : ParseIndex(text[(dash + 1)..], text);
        }
        if (first > last) throw new FormatException($"--shards {text}: first shard is after the last");
        if (first >= shardCount) throw new FormatException($"--shards {text}: the input has only {shardCount} shard(s) (0-{shardCount - 1})");
        return (first, Math.Min(last, shardCount - 1));
    }

    private static int ParseIndex(string s, string whole) =>
        int.TryParse(s.Trim(), out var v) && v >= 0 ? v : throw new FormatException($"--shards {whole}: '{s}' is not a shard index");
}
