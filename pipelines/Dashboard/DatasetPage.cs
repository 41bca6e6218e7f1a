using System.Text;
using SSeg.Pipelines.Hosting;
using SSeg.Shards;

namespace SSeg.Pipelines.Dashboard;

/// <summary>
/// One dataset: its shards (a page of <see cref="ShardPageSize"/> at a time, <c>?from=N</c>), failure reasons
/// (linked to the failures page), and its rows in key order, paged, with thumbnails from the thumbnail endpoint,
/// captions, nouns/verbs and the pseudo-mask over the image (toggle, blend, legend); a search by key or caption word
/// with its match count; a link to SQL over the dataset. The totals and shards are streamed from the commit log and
/// single shards found by name, so the page holds the same whatever the number of shards.
/// </summary>
public sealed class DatasetPage(string name) : SsegPage
{
    private const int PageSize = 12;
    private const int MaxScannedShards = 50;
    /// <summary>Image shards per page of the shard table.</summary>
    public const int ShardPageSize = 200;

    protected override string Title => $"Dataset {name}";

    protected override void Render(StringBuilder html)
    {
        var settings = Service<HostSettings>();
        var dataset = DatasetStore.Open(settings.Storage.Root, settings.Storage.AzureConnectionString).Dataset(name);
        var summary = dataset.SummarizeAsync().GetAwaiter().GetResult();
        var self = Link("/sseg/datasets/" + name);
        html.Append($"<h1 class=\"page-header\">Dataset {E(name)} <small><a id=\"sql-link\" href=\"{self}/sql\">SQL</a> · <a id=\"failures-link\" href=\"{self}/failures\">failures</a></small></h1>");
        if (summary is null)
        {
            html.Append("<div class=\"alert alert-warning\">No such dataset.</div>");
            return;
        }
        var attempted = summary.Rows + summary.Failures;
        html.Append($"<p>{summary.ImageShards} image shard(s), {summary.Rows} rows, {Bytes(summary.Bytes)}, ")
            .Append(attempted == 0 ? "" : $"{100.0 * summary.Rows / attempted:0.0}% of {attempted} attempted samples succeeded. ")
            .Append($"Config hash <code>{E(summary.ConfigHash)}</code>.</p>");
        if (summary.FailuresByReason.Count > 0)
            html.Append("<p id=\"failure-reasons\">Failure reasons: ")
                .Append(string.Join(", ", summary.FailuresByReason.OrderByDescending(r => r.Value)
                    .Select(r => $"<a href=\"{self}/failures?reason={U(r.Key)}\">{E(r.Key)}: {r.Value}</a>")))
                .Append("</p>");

        var from = ShardPage.ParseFrom(QueryValue("from"));
        var shards = ShardPage.ReadAsync(dataset, from, ShardPageSize).GetAwaiter().GetResult();
        var generators = summary.MaskShardsByGenerator.Keys.Order(StringComparer.Ordinal).ToList();
        var masks = shards.MaskGeneratorsAsync(dataset, generators).GetAwaiter().GetResult();
        ShardTable(html, summary, shards, masks, self);
        if (summary.ImageShards == 0) return;

        var query = QueryValue("q")?.Trim() ?? "";
        var shardText = QueryValue("shard");
        var selected = int.TryParse(shardText, out var n) && n >= 0
            ? dataset.FindCommittedAsync(ShardNames.ImagesKind, n).GetAwaiter().GetResult()
            : null;
        var fallback = shards.Shards.FirstOrDefault() ?? ShardPage.ReadAsync(dataset, 0, 1).GetAwaiter().GetResult().Shards.FirstOrDefault();
        if (selected is null && fallback is null) return;
        if (shardText is { Length: > 0 } && selected is null && query.Length == 0)
            html.Append($"<div class=\"alert alert-warning\" id=\"no-shard\">No committed image shard {E(shardText)}; showing shard {fallback!.Index}.</div>");
        selected ??= fallback!;
        html.Append($"<form method=\"get\" action=\"{self}\" class=\"form-inline\" id=\"search\">")
            .Append($"<input class=\"form-control\" name=\"q\" placeholder=\"key or caption word\" value=\"{E(query)}\"/> ")
            .Append("<button class=\"btn btn-default\" type=\"submit\">Search</button></form><br/>");

        List<(int Shard, ImageRow Row)> rows;
        Paging paging;
        string scope;
        if (query.Length > 0)
        {
            var scanned = ShardPage.ReadAsync(dataset, 0, MaxScannedShards).GetAwaiter().GetResult().Shards;
            var (matches, scannedCount) = DatasetRows.Search(dataset, scanned, query);
            paging = Paging.Of(QueryValue("page"), PageSize, matches.Count);
            rows = DatasetRows.Read(dataset, scanned, matches.Skip(paging.Skip).Take(PageSize).ToList());
            scope = $"search \"{query}\": <span id=\"match-count\">{matches.Count} match{(matches.Count == 1 ? "" : "es")}</span>"
                    + (scannedCount < summary.ImageShards ? $" in the first {scannedCount} of {summary.ImageShards} shards" : "");
        }
        else
        {
            paging = Paging.Of(QueryValue("page"), PageSize, (int)Math.Min(int.MaxValue, selected.Rows));
            rows = DatasetRows.ShardPage(dataset, selected, paging.Skip, PageSize);
            scope = $"shard {selected.Index}";
        }
        rows = rows.OrderBy(r => r.Row.Key, StringComparer.Ordinal).ToList();
        html.Append($"<h3>Rows: {scope}, page {paging.Page + 1} of {paging.Pages}</h3>");
        if (rows.Count == 0) html.Append("<div class=\"alert alert-info\">No rows.</div>");
        Gallery(html, dataset, generators, rows, self);
        var baseLink = $"{self}?" + (query.Length > 0 ? $"q={U(query)}" : $"{FromParameter(from)}shard={selected.Index}");
        html.Append("<ul class=\"pager\">");
        if (paging.HasPrevious) html.Append($"<li><a href=\"{baseLink}&page={paging.Page - 1}\" id=\"prev-page\">Previous</a></li>");
        if (paging.HasNext) html.Append($"<li><a href=\"{baseLink}&page={paging.Page + 1}\" id=\"next-page\">Next</a></li>");
        html.Append("</ul>");
    }

    private static string FromParameter(int from) => from > 0 ? $"from={from}&" : "";

    /// <summary>The page of shards with their mask generators, its range and the links to the pages around it.</summary>
    private static void ShardTable(StringBuilder html, DatasetSummary summary, ShardPage shards, Dictionary<int, List<string>> masks, string self)
    {
        var range = shards.Shards.Count == 0
            ? $"No image shards from index {shards.From}."
            : $"Image shards {shards.Shards[0].Index} to {shards.Shards[^1].Index}: {shards.Shards.Count} of {summary.ImageShards}.";
        html.Append($"<p id=\"shard-range\">{range}</p>");
        html.Append("<table class=\"table table-condensed\" id=\"shards\"><thead><tr><th>Shard</th><th>Rows</th><th>Failures</th><th>Bytes</th><th>Masks</th><th></th></tr></thead><tbody>");
        foreach (var shard in shards.Shards)
        {
            var failures = shard.Failures > 0 ? $"<a class=\"shard-failures\" href=\"{self}/failures?shard={shard.Index}\">{shard.Failures}</a>" : "0";
            html.Append($"<tr><td>{shard.Index}</td><td>{shard.Rows}</td><td>{failures}</td><td>{Bytes(shard.Bytes)}</td><td>{E(string.Join(", ", masks[shard.Index]))}</td>")
                .Append($"<td><a href=\"{self}?{FromParameter(shards.From)}shard={shard.Index}\">rows</a></td></tr>");
        }
        html.Append("</tbody></table>");
        if (shards.PreviousFrom is null && shards.NextFrom is null) return;
        html.Append("<ul class=\"pager\" id=\"shard-pager\">");
        if (shards.PreviousFrom > 0) html.Append($"<li><a href=\"{self}\" id=\"shards-first\">First shards</a></li> ");
        if (shards.PreviousFrom is { } previous) html.Append($"<li><a href=\"{self}?from={previous}\" id=\"shards-previous\">Previous shards</a></li> ");
        if (shards.NextFrom is { } next) html.Append($"<li><a href=\"{self}?from={next}\" id=\"shards-next\">Next shards</a></li>");
        html.Append("</ul>");
    }

    private static void Gallery(StringBuilder html, Dataset dataset, IReadOnlyList<string> generators, List<(int Shard, ImageRow Row)> rows, string self)
    {
        // The mask of each shard shown: the first generator (ordinal) that committed it, found by name.
        var maskOf = rows.Select(r => r.Shard).Distinct()
            .ToDictionary(shard => shard, shard => DatasetInspector.FirstMaskAsync(dataset, generators, shard).GetAwaiter().GetResult());
        var shown = maskOf.Values.Where(m => m.Entry is not null).DistinctBy(m => m.Generator).ToList();
        if (shown.Count > 0)
        {
            var maxSegments = shown.Max(m => SegmentsOf(dataset, m.Entry!));
            html.Append("<div class=\"form-inline\" id=\"mask-controls\"><label><input type=\"checkbox\" id=\"mask-toggle\" checked/> pseudo-mask</label> ")
                .Append("<label>blend <input type=\"range\" id=\"mask-opacity\" min=\"0\" max=\"100\" value=\"50\" style=\"display:inline-block;width:160px;vertical-align:middle\"/></label> ")
                .Append("<span id=\"mask-legend\">clusters: ");
            for (var id = 0; id < Math.Clamp(maxSegments, 1, 32); id++)
                html.Append($"<span class=\"legend-item\" style=\"margin-right:6px\"><span style=\"display:inline-block;width:12px;height:12px;background:{MaskOverlay.CssColorOf(id)};vertical-align:middle\"></span> {id}</span>");
            html.Append("</span></div>")
                .Append("<script>(function () { function apply() { var on = document.getElementById('mask-toggle').checked; var a = document.getElementById('mask-opacity').value / 100;")
                .Append(" document.querySelectorAll('img.sample-mask').forEach(function (m) { m.style.opacity = on ? a : 0; }); }")
                .Append(" document.getElementById('mask-toggle').addEventListener('change', apply); document.getElementById('mask-opacity').addEventListener('input', apply); })();</script><br/>");
        }
        html.Append("<div class=\"row\" id=\"gallery\">");
        foreach (var (shard, row) in rows)
        {
            var generator = maskOf[shard].Generator;
            var thumb = $"{self}/thumb?shard={shard}&key={U(row.Key)}";
            html.Append($"<div class=\"col-sm-6 col-md-4\"><div class=\"thumbnail sample\" data-key=\"{E(row.Key)}\"><div style=\"position:relative;display:inline-block\">")
                .Append($"<img class=\"sample-image\" alt=\"{E(row.Key)}\" src=\"{thumb}\" loading=\"lazy\" style=\"max-width:100%;max-height:200px;display:block\"/>");
            if (generator is not null)
                html.Append($"<img class=\"sample-mask\" alt=\"pseudo-mask of {E(row.Key)}\" title=\"pseudo-mask ({E(generator)})\" src=\"{thumb}&mask={U(generator)}\" loading=\"lazy\" style=\"position:absolute;left:0;top:0;width:100%;height:100%;opacity:0.5\"/>");
            html.Append($"</div><div class=\"caption\"><p><code class=\"sample-key\">{E(row.Key)}</code> (shard {shard})</p><p class=\"sample-caption\">{E(row.Caption)}</p>")
                .Append($"<p><small>nouns: {E(string.Join(", ", row.Nouns))}<br/>verbs: {E(string.Join(", ", row.Verbs))}<br/>")
                .Append($"{row.Width}×{row.Height} (from {row.OriginalWidth}×{row.OriginalHeight}), {E(row.Source)}</small></p></div></div></div>");
        }
        html.Append("</div>");
    }

    /// <summary>The k-means K of the generator that wrote a mask shard (its file metadata); 0 when the file does not say.</summary>
    private static int SegmentsOf(Dataset dataset, ShardEntry maskShard)
    {
        try
        {
            var reader = MaskShardReader.OpenAsync(dataset.Storage, dataset.KeyOf(maskShard.Path)).GetAwaiter().GetResult();
            try { return reader.Generator?.K ?? 0; }
            finally { reader.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
        }
        catch (InvalidDataException)
        {
            return 0;   // an unreadable mask shard: its thumbnails say so; the legend falls back to one cluster
        }
    }
}
