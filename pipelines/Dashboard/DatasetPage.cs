using System.Text;
using SSeg.Pipelines.Hosting;
using SSeg.Shards;

namespace SSeg.Pipelines.Dashboard;

/// <summary>
/// One dataset: its shards, failure reasons, and its rows paged with thumbnails, captions, nouns/verbs and
/// the pseudo-mask overlaid; a search by key or caption word.
/// </summary>
public sealed class DatasetPage(string name) : SsegPage
{
    private const int PageSize = 12;
    private const int MaxScannedShards = 50;

    protected override string Title => $"Dataset {name}";

    protected override void Render(StringBuilder html)
    {
        var settings = Service<HostSettings>();
        var store = DatasetStore.Open(settings.Storage.Root, settings.Storage.AzureConnectionString);
        var dataset = store.Dataset(name);
        var manifest = dataset.ReadManifestAsync().GetAwaiter().GetResult();
        html.Append($"<h1 class=\"page-header\">Dataset {E(name)}</h1>");
        if (manifest is null)
        {
            html.Append("<div class=\"alert alert-warning\">No such dataset.</div>");
            return;
        }
        var summary = DatasetInspector.Summarize(manifest);
        var attempted = summary.Rows + summary.Failures;
        html.Append($"<p>{summary.ImageShards} image shard(s), {summary.Rows} rows, {Bytes(summary.Bytes)}, ")
            .Append(attempted == 0 ? "" : $"{100.0 * summary.Rows / attempted:0.0}% of {attempted} attempted samples succeeded. ")
            .Append($"Config hash <code>{E(summary.ConfigHash)}</code>.</p>");
        if (summary.FailuresByReason.Count > 0)
            html.Append("<p id=\"failure-reasons\">Failure reasons: ")
                .Append(E(string.Join(", ", summary.FailuresByReason.OrderByDescending(r => r.Value).Select(r => $"{r.Key}: {r.Value}"))))
                .Append("</p>");

        var shards = manifest.ImageShards;
        var generators = summary.MaskShardsByGenerator.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        html.Append("<table class=\"table table-condensed\" id=\"shards\"><thead><tr><th>Shard</th><th>Rows</th><th>Failures</th><th>Bytes</th><th>Masks</th><th></th></tr></thead><tbody>");
        foreach (var shard in shards)
        {
            var masks = generators.Where(g => manifest.Find(ShardNames.MasksKind(g), shard.Index) is not null);
            html.Append($"<tr><td>{shard.Index}</td><td>{shard.Rows}</td><td>{shard.Failures}</td><td>{Bytes(shard.Bytes)}</td><td>{E(string.Join(", ", masks))}</td>")
                .Append($"<td><a href=\"{Link("/sseg/datasets/" + name)}?shard={shard.Index}\">rows</a></td></tr>");
        }
        html.Append("</tbody></table>");
        if (shards.Count == 0) return;

        var query = QueryValue("q")?.Trim() ?? "";
        var shardIndex = QueryInt("shard", shards[0].Index);
        var page = Math.Max(0, QueryInt("page", 0));
        html.Append($"<form method=\"get\" action=\"{Link("/sseg/datasets/" + name)}\" class=\"form-inline\" id=\"search\">")
            .Append($"<input class=\"form-control\" name=\"q\" placeholder=\"key or caption word\" value=\"{E(query)}\"/> ")
            .Append("<button class=\"btn btn-default\" type=\"submit\">Search</button></form><br/>");

        var (rows, more, scope) = query.Length > 0
            ? Search(dataset, shards, query, page)
            : (ShardPage(dataset, shards.FirstOrDefault(s => s.Index == shardIndex) ?? shards[0], page, out var hasMore), hasMore, $"shard {shardIndex}");
        var withMasks = AttachMasks(dataset, manifest, generators, rows);
        html.Append($"<h3>Rows: {E(scope)}, page {page + 1}</h3>");
        if (withMasks.Count == 0) html.Append("<div class=\"alert alert-info\">No rows.</div>");
        html.Append("<div class=\"row\" id=\"gallery\">");
        foreach (var (shard, row, mask, generator) in withMasks)
        {
            html.Append("<div class=\"col-sm-6 col-md-4\"><div class=\"thumbnail sample\">");
            html.Append($"<img class=\"sample-image\" alt=\"{E(row.Key)}\" src=\"data:image/jpeg;base64,{Convert.ToBase64String(row.ImageBytes)}\" style=\"max-width:100%;max-height:200px\"/>");
            if (mask is not null)
            {
                try
                {
                    var overlay = MaskOverlay.RenderPng(row.ImageBytes, mask.MaskPng);
                    html.Append($"<img class=\"sample-mask\" alt=\"pseudo-mask of {E(row.Key)}\" title=\"pseudo-mask ({E(generator)}, {mask.Segments} segments)\" src=\"data:image/png;base64,{Convert.ToBase64String(overlay)}\" style=\"max-width:100%;max-height:200px\"/>");
                }
                catch (InvalidDataException e)
                {
                    html.Append($"<p class=\"text-danger\">mask unreadable: {E(e.Message)}</p>");
                }
            }
            html.Append($"<div class=\"caption\"><p><code>{E(row.Key)}</code> (shard {shard})</p><p class=\"sample-caption\">{E(row.Caption)}</p>")
                .Append($"<p><small>nouns: {E(string.Join(", ", row.Nouns))}<br/>verbs: {E(string.Join(", ", row.Verbs))}<br/>")
                .Append($"{row.Width}×{row.Height} (from {row.OriginalWidth}×{row.OriginalHeight}), {E(row.Source)}</small></p></div></div></div>");
        }
        html.Append("</div>");
        var baseLink = $"{Link("/sseg/datasets/" + name)}?" + (query.Length > 0 ? $"q={U(query)}" : $"shard={shardIndex}");
        html.Append("<ul class=\"pager\">");
        if (page > 0) html.Append($"<li><a href=\"{baseLink}&page={page - 1}\">Previous</a></li>");
        if (more) html.Append($"<li><a href=\"{baseLink}&page={page + 1}\" id=\"next-page\">Next</a></li>");
        html.Append("</ul>");
    }

    private static List<(int Shard, ImageRow Row)> ShardPage(Dataset dataset, ShardEntry shard, int page, out bool more)
    {
        var rows = new List<(int, ImageRow)>();
        var skip = page * PageSize;
        more = false;
        var reader = ImageShardReader.OpenAsync(dataset.Storage, dataset.KeyOf(shard.Path)).GetAwaiter().GetResult();
        try
        {
            var enumerator = reader.ReadRowsAsync(ImageColumns.All).GetAsyncEnumerator();
            try
            {
                var index = 0;
                while (enumerator.MoveNextAsync().AsTask().GetAwaiter().GetResult())
                {
                    if (index++ < skip) continue;
                    if (rows.Count == PageSize) { more = true; break; }
                    rows.Add((shard.Index, enumerator.Current));
                }
            }
            finally { enumerator.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
        }
        finally { reader.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
        return rows;
    }

    /// <summary>Rows whose key contains the query or whose caption, nouns or verbs contain it as a word.</summary>
    private static (List<(int, ImageRow)> Rows, bool More, string Scope) Search(Dataset dataset, IReadOnlyList<ShardEntry> shards, string query, int page)
    {
        var matches = new List<(int Shard, string Key)>();
        var wanted = (page + 1) * PageSize + 1;
        var scanned = 0;
        foreach (var shard in shards.Take(MaxScannedShards))
        {
            scanned++;
            var reader = ImageShardReader.OpenAsync(dataset.Storage, dataset.KeyOf(shard.Path)).GetAwaiter().GetResult();
            try
            {
                for (var g = 0; g < reader.RowGroupCount && matches.Count < wanted; g++)
                    foreach (var row in reader.ReadRowGroupAsync(g, ImageColumns.Key | ImageColumns.Caption | ImageColumns.Nouns | ImageColumns.Verbs).GetAwaiter().GetResult())
                        if (Matches(row, query) && matches.Count < wanted) matches.Add((shard.Index, row.Key));
            }
            finally { reader.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
            if (matches.Count >= wanted) break;
        }
        var pageKeys = matches.Skip(page * PageSize).Take(PageSize).ToList();
        var rows = new List<(int, ImageRow)>();
        foreach (var group in pageKeys.GroupBy(m => m.Shard))
        {
            var keys = group.Select(m => m.Key).ToHashSet(StringComparer.Ordinal);
            var shard = shards.First(s => s.Index == group.Key);
            var reader = ImageShardReader.OpenAsync(dataset.Storage, dataset.KeyOf(shard.Path)).GetAwaiter().GetResult();
            try
            {
                for (var g = 0; g < reader.RowGroupCount; g++)
                    rows.AddRange(reader.ReadRowGroupAsync(g, ImageColumns.All).GetAwaiter().GetResult().Where(r => keys.Contains(r.Key)).Select(r => (group.Key, r)));
            }
            finally { reader.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
        }
        var scope = $"search \"{query}\"" + (scanned < shards.Count && matches.Count < wanted ? $" (first {scanned} shards)" : "");
        return (rows, matches.Count > (page + 1) * PageSize, scope);
    }

    private static bool Matches(ImageRow row, string query)
    {
        if (row.Key.Contains(query, StringComparison.OrdinalIgnoreCase)) return true;
        var words = (row.Caption ?? "").Split([' ', ',', '.', ';', ':', '!', '?', '"', '\''], StringSplitOptions.RemoveEmptyEntries);
        return words.Concat(row.Nouns).Concat(row.Verbs).Any(w => string.Equals(w, query, StringComparison.OrdinalIgnoreCase));
    }

    private static List<(int Shard, ImageRow Row, MaskRow? Mask, string? Generator)> AttachMasks(
        Dataset dataset, DatasetManifest manifest, IReadOnlyList<string> generators, List<(int Shard, ImageRow Row)> rows)
    {
        var result = new List<(int, ImageRow, MaskRow?, string?)>();
        foreach (var group in rows.GroupBy(r => r.Shard))
        {
            var generator = generators.FirstOrDefault(g => manifest.Find(ShardNames.MasksKind(g), group.Key) is not null);
            var masks = new Dictionary<string, MaskRow>(StringComparer.Ordinal);
            if (generator is not null)
            {
                var entry = manifest.Find(ShardNames.MasksKind(generator), group.Key)!;
                var keys = group.Select(r => r.Row.Key).ToHashSet(StringComparer.Ordinal);
                var reader = MaskShardReader.OpenAsync(dataset.Storage, dataset.KeyOf(entry.Path)).GetAwaiter().GetResult();
                try
                {
                    for (var g = 0; g < reader.RowGroupCount && masks.Count < keys.Count; g++)
                        foreach (var mask in reader.ReadRowGroupAsync(g).GetAwaiter().GetResult())
                            if (keys.Contains(mask.Key)) masks[mask.Key] = mask;
                }
                finally { reader.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
            }
            result.AddRange(group.Select(r => (r.Shard, r.Row, masks.GetValueOrDefault(r.Row.Key), generator)));
        }
        return result;
    }
}
