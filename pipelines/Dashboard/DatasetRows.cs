using SSeg.Shards;

namespace SSeg.Pipelines.Dashboard;

/// <summary>Reads the dataset page's rows through the shards API, without image bytes (the thumbnail endpoint serves those).</summary>
internal static class DatasetRows
{
    private const ImageColumns Columns = ImageColumns.AllButImage;

    /// <summary>Rows <paramref name="skip"/>..skip+take of one shard, in file order.</summary>
    public static List<(int Shard, ImageRow Row)> ShardPage(Dataset dataset, ShardEntry shard, int skip, int take)
    {
        var rows = new List<(int, ImageRow)>();
        var reader = ImageShardReader.OpenAsync(dataset.Storage, dataset.KeyOf(shard.Path)).GetAwaiter().GetResult();
        try
        {
            var seen = 0;
            for (var g = 0; g < reader.RowGroupCount && rows.Count < take; g++)
                foreach (var row in reader.ReadRowGroupAsync(g, Columns).GetAwaiter().GetResult())
                    if (seen++ >= skip && rows.Count < take) rows.Add((shard.Index, row));
        }
        finally { reader.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
        return rows;
    }

    /// <summary>Every match (shard, key) in key order within the scanned shards, and how many shards were scanned.</summary>
    public static (List<(int Shard, string Key)> Matches, int Scanned) Search(Dataset dataset, IEnumerable<ShardEntry> shards, string query)
    {
        var matches = new List<(int Shard, string Key)>();
        var scanned = 0;
        foreach (var shard in shards)
        {
            scanned++;
            var reader = ImageShardReader.OpenAsync(dataset.Storage, dataset.KeyOf(shard.Path)).GetAwaiter().GetResult();
            try
            {
                for (var g = 0; g < reader.RowGroupCount; g++)
                    foreach (var row in reader.ReadRowGroupAsync(g, ImageColumns.Key | ImageColumns.Caption | ImageColumns.Nouns | ImageColumns.Verbs).GetAwaiter().GetResult())
                        if (Matches(row, query)) matches.Add((shard.Index, row.Key));
            }
            finally { reader.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
        }
        return (matches.OrderBy(m => m.Key, StringComparer.Ordinal).ToList(), scanned);
    }

    /// <summary>The rows of the given (shard, key) pairs.</summary>
    public static List<(int Shard, ImageRow Row)> Read(Dataset dataset, IReadOnlyList<ShardEntry> shards, IReadOnlyList<(int Shard, string Key)> wanted)
    {
        var rows = new List<(int, ImageRow)>();
        foreach (var group in wanted.GroupBy(m => m.Shard))
        {
            var keys = group.Select(m => m.Key).ToHashSet(StringComparer.Ordinal);
            var shard = shards.First(s => s.Index == group.Key);
            var reader = ImageShardReader.OpenAsync(dataset.Storage, dataset.KeyOf(shard.Path)).GetAwaiter().GetResult();
            try
            {
                for (var g = 0; g < reader.RowGroupCount; g++)
                    rows.AddRange(reader.ReadRowGroupAsync(g, Columns).GetAwaiter().GetResult().Where(r => keys.Contains(r.Key)).Select(r => (group.Key, r)));
            }
            finally { reader.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
        }
        return rows;
    }

    /// <summary>The key contains the query, or the caption, nouns or verbs contain it as a word.</summary>
    private static bool Matches(ImageRow row, string query)
    {
        if (row.Key.Contains(query, StringComparison.OrdinalIgnoreCase)) return true;
        var words = (row.Caption ?? "").Split([' ', ',', '.', ';', ':', '!', '?', '"', '\''], StringSplitOptions.RemoveEmptyEntries);
        return words.Concat(row.Nouns).Concat(row.Verbs).Any(w => string.Equals(w, query, StringComparison.OrdinalIgnoreCase));
    }
}
