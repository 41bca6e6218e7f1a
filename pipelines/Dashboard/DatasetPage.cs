using System.Text;
using SSeg.Pipelines.Hosting;
using SSeg.Shards;

namespace SSeg.Pipelines.Dashboard;

/// <summary>
/// One dataset: its shards, failure reasons (linked to the failures page), and its rows in key order, paged, with
/// thumbnails from the thumbnail endpoint, captions, nouns/verbs and the pseudo-mask over the image (toggle, blend,
/// legend); a search by key or caption word with its match count; a link to SQL over the dataset.
/// </summary>
public sealed class DatasetPage(string name) : SsegPage
{
    private const int PageSize = 12;
    private const int MaxScannedShards = 50;

    protected override string Title => $"Dataset {name}";

    protected override void Render(StringBuilder html)
    {
        var settings = Service<HostSettings>();
        var dataset = DatasetStore.Open(settings.Storage.Root, settings.Storage.AzureConnectionString).Dataset(name);
        var manifest = dataset.ReadManifestAsync().GetAwaiter().GetResult();
        var self = Link("/sseg/datasets/" + name);
        html.Append($"<h1 class=\"page-header\">Dataset {E(name)} <small><a id=\"sql-link\" href=\"{self}/sql\">SQL</a> · <a id=\"failures-link\" href=\"{self}/failures\">failures</a></small></h1>");
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
                .Append(string.Join(", ", summary.FailuresByReason.OrderByDescending(r => r.Value)
                    .Select(r => $"<a href=\"{self}/failures?reason={U(r.Key)}\">{E(r.Key)}: {r.Value}</a>")))
                .Append("</p>");

        var shards = manifest.ImageShards;
        var generators = summary.MaskShardsByGenerator.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        html.Append("<table class=\"table table-condensed\" id=\"shards\"><thead><tr><th>Shard</th><th>Rows</th><th>Failures</th><th>Bytes</th><th>Masks</th><th></th></tr></thead><tbody>");
        foreach (var shard in shards)
        {
            var masks = generators.Where(g => manifest.Find(ShardNames.MasksKind(g), shard.Index) is not null);
            var failures = shard.Failures > 0 ? $"<a class=\"shard-failures\" href=\"{self}/failures?shard={shard.Index}\">{shard.Failures}</a>" : "0";
            html.Append($"<tr><td>{shard.Index}</td><td>{shard.Rows}</td><td>{failures}</td><td>{Bytes(shard.Bytes)}</td><td>{E(string.Join(", ", masks))}</td>")
                .Append($"<td><a href=\"{self}?shard={shard.Index}\">rows</a></td></tr>");
        }
        html.Append("</tbody></table>");
        if (shards.Count == 0) return;

        var query = QueryValue("q")?.Trim() ?? "";
        var shardText = QueryValue("shard");
        var selected = int.TryParse(shardText, out var n) ? shards.FirstOrDefault(s => s.Index == n) : null;
        if (shardText is { Length: > 0 } && selected is null && query.Length == 0)
            html.Append($"<div class=\"alert alert-warning\" id=\"no-shard\">No committed image shard {E(shardText)}; showing shard {shards[0].Index}.</div>");
        selected ??= shards[0];
        html.Append($"<form method=\"get\" action=\"{self}\" class=\"form-inline\" id=\"search\">")
            .Append($"<input class=\"form-control\" name=\"q\" placeholder=\"key or caption word\" value=\"{E(query)}\"/> ")
            .Append("<button class=\"btn btn-default\" type=\"submit\">Search</button></form><br/>");

        List<(int Shard, ImageRow Row)> rows;
        Paging paging;
        string scope;
        if (query.Length > 0)
        {
            var (matches, scanned) = DatasetRows.Search(dataset, shards.Take(MaxScannedShards), query);
            paging = Paging.Of(QueryValue("page"), PageSize, matches.Count);
            rows = DatasetRows.Read(dataset, shards, matches.Skip(paging.Skip).Take(PageSize).ToList());
            scope = $"search \"{query}\": <span id=\"match-count\">{matches.Count} match{(matches.Count == 1 ? "" : "es")}</span>"
                    + (scanned < shards.Count ? $" in the first {scanned} of {shards.Count} shards" : "");
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
        Gallery(html, manifest, generators, rows, self);
        var baseLink = $"{self}?" + (query.Length > 0 ? $"q={U(query)}" : $"shard={selected.Index}");
        html.Append("<ul class=\"pager\">");
        if (paging.HasPrevious) html.Append($"<li><a href=\"{baseLink}&page={paging.Page - 1}\" id=\"prev-page\">Previous</a></li>");
        if (paging.HasNext) html.Append($"<li><a href=\"{baseLink}&page={paging.Page + 1}\" id=\"next-page\">Next</a></li>");
        html.Append("</ul>");
    }

    private static void Gallery(StringBuilder html, DatasetManifest manifest, IReadOnlyList<string> generators, List<(int Shard, ImageRow Row)> rows, string self)
    {
        var maxSegments = manifest.Generators.Values.Select(g => g.K).DefaultIfEmpty(0).Max();
        if (generators.Count > 0 && rows.Count > 0)
        {
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
            var generator = generators.FirstOrDefault(g => manifest.Find(ShardNames.MasksKind(g), shard) is not null);
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
}
