using SSeg.Shards;

namespace SSeg.Pipelines.Cli.Shards;

/// <summary>
/// The shard list of `shards stats`, one line per committed shard as the log is streamed. A console table would
/// hold every row to size its columns; this writes each line as it comes, with widths fixed up front (the kind
/// column from the generator ids of the totals), so a dataset of 500,000 shards prints in bounded memory.
/// </summary>
internal static class ShardListing
{
    private static readonly string[] Headers = ["kind", "shard", "rows", "row groups", "size", "failures", "committed (UTC)"];
    private static readonly int[] FixedWidths = [0, 7, 12, 10, 11, 10, 19];

    public static async Task WriteAsync(Dataset dataset, DatasetSummary summary, TextWriter output, CancellationToken ct)
    {
        var kindWidth = summary.MaskShardsByGenerator.Keys.Select(g => ShardNames.MasksKind(g).Length)
            .Append(ShardNames.ImagesKind.Length).Append(Headers[0].Length).Max();
        var widths = FixedWidths.ToArray();
        widths[0] = kindWidth;
        await output.WriteLineAsync(Line(widths, Headers));
        await output.WriteLineAsync(Line(widths, widths.Select(w => new string('-', w)).ToArray()));
        await foreach (var e in dataset.StreamShardsAsync(ct: ct))
            await output.WriteLineAsync(Line(widths, [e.Kind, e.Index.ToString(), e.Rows.ToString("N0"), e.RowGroups.ToString(),
                Format.Bytes(e.Bytes), e.Failures.ToString("N0"), e.CommittedUtc.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss")]));
    }

    // The kind is left-aligned, the numbers right-aligned, the time left-aligned; two spaces between columns.
    private static string Line(int[] widths, string[] cells) =>
        string.Join("  ", cells.Select((c, i) => i == 0 || i == cells.Length - 1 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd();
}
