using System.Text;
using SSeg.Pipelines.Hosting;
using SSeg.Shards;

namespace SSeg.Pipelines.Dashboard;

/// <summary>
/// The failed samples of a dataset, per image shard or across a window of up to <see cref="MaxScannedShards"/> shards
/// that have any (<c>?from=N</c>, with links to the windows around it), filtered by reason, each with its URL, key and
/// the failure detail. The dataset page's failure counts link here. The totals and the window are streamed from the
/// commit log and a chosen shard is found by name, so the page holds the same whatever the number of shards.
/// </summary>
public sealed class FailuresPage(string name) : SsegPage
{
    private const int PageSize = 50;
    private const int MaxScannedShards = 50;

    protected override string Title => $"Failures: {name}";

    protected override void Render(StringBuilder html)
    {
        var settings = Service<HostSettings>();
        var dataset = DatasetStore.Open(settings.Storage.Root, settings.Storage.AzureConnectionString).Dataset(name);
        var summary = dataset.SummarizeAsync().GetAwaiter().GetResult();
        var self = Link($"/sseg/datasets/{name}/failures");
        html.Append($"<h1 class=\"page-header\">Failures of <a href=\"{Link("/sseg/datasets/" + name)}\">{E(name)}</a></h1>");
        if (summary is null)
        {
            html.Append("<div class=\"alert alert-warning\">No such dataset.</div>");
            return;
        }
        var reasons = summary.FailuresByReason;
        var reason = QueryValue("reason") is { Length: > 0 } r && reasons.ContainsKey(r) ? r : "";
        var from = ShardPage.ParseFrom(QueryValue("from"));
        var window = ShardPage.ReadAsync(dataset, from, MaxScannedShards, s => s.Failures > 0).GetAwaiter().GetResult();
        var shardText = QueryValue("shard");
        var shard = int.TryParse(shardText, out var n) && n >= 0
            ? dataset.FindCommittedAsync(ShardNames.ImagesKind, n).GetAwaiter().GetResult() is { Failures: > 0 } found ? found : null
            : null;
        if (shardText is { Length: > 0 } && shard is null)
            html.Append($"<div class=\"alert alert-warning\" id=\"no-shard\">Image shard {E(shardText)} has no recorded failures or does not exist; showing all shards.</div>");

        html.Append($"<form method=\"get\" action=\"{self}\" class=\"form-inline\" id=\"failures-filter\">")
            .Append(from > 0 ? $"<input type=\"hidden\" name=\"from\" value=\"{from}\"/>" : "")
            .Append("<select class=\"form-control\" name=\"shard\" id=\"filter-shard\"><option value=\"\">all shards</option>");
        IEnumerable<ShardEntry> options = shard is null || window.Shards.Any(s => s.Index == shard.Index) ? window.Shards : window.Shards.Append(shard).OrderBy(s => s.Index);
        foreach (var s in options)
            html.Append($"<option value=\"{s.Index}\"{(s.Index == shard?.Index ? " selected" : "")}>shard {s.Index} ({s.Failures})</option>");
        html.Append("</select> <select class=\"form-control\" name=\"reason\" id=\"filter-reason\"><option value=\"\">any reason</option>");
        foreach (var (option, count) in reasons.OrderByDescending(x => x.Value))
            html.Append($"<option value=\"{E(option)}\"{(option == reason ? " selected" : "")}>{E(option)} ({count})</option>");
        html.Append("</select> <button class=\"btn btn-default\" type=\"submit\" id=\"filter-apply\">Filter</button></form><br/>");

        var scanned = shard is null ? window.Shards : [shard];
        var rows = new List<(int Shard, FailureRow Row)>();
        foreach (var s in scanned)
            rows.AddRange(dataset.ReadFailuresAsync(s.Index).GetAwaiter().GetResult()
                .Where(f => reason == "" || f.Reason == reason).Select(f => (s.Index, f)));
        var paging = Paging.Of(QueryValue("page"), PageSize, rows.Count);
        html.Append($"<p id=\"failures-count\">{rows.Count} failure(s)")
            .Append(reason == "" ? "" : $" with reason {E(reason)}")
            .Append(shard is not null ? $" in shard {shard.Index}" : Scope(window))
            .Append($", page {paging.Page + 1} of {paging.Pages}</p>");
        html.Append("<table class=\"table table-condensed table-striped\" id=\"failures\"><thead><tr><th>Shard</th><th>Key</th><th>URL</th><th>Reason</th><th>Detail</th></tr></thead><tbody>");
        foreach (var (index, failure) in rows.Skip(paging.Skip).Take(PageSize))
            html.Append($"<tr><td>{index}</td><td><code>{E(failure.Key)}</code></td><td class=\"failure-url\" style=\"word-break:break-all\">{E(failure.Url)}</td>")
                .Append($"<td class=\"failure-reason\">{E(failure.Reason)}</td><td class=\"failure-detail\">{E(failure.Detail)}</td></tr>");
        html.Append("</tbody></table>");
        var query = $"{self}?{(from > 0 ? $"from={from}&" : "")}shard={(shard is null ? "" : shard.Index.ToString())}&reason={U(reason)}";
        html.Append("<ul class=\"pager\">");
        if (paging.HasPrevious) html.Append($"<li><a href=\"{query}&page={paging.Page - 1}\">Previous</a></li>");
        if (paging.HasNext) html.Append($"<li><a id=\"next-page\" href=\"{query}&page={paging.Page + 1}\">Next</a></li>");
        html.Append("</ul>");
        if (shard is not null || (window.PreviousFrom is null && window.NextFrom is null)) return;
        var windowLink = $"{self}?reason={U(reason)}&from=";
        html.Append("<ul class=\"pager\" id=\"shard-pager\">");
        if (window.PreviousFrom is { } previous) html.Append($"<li><a id=\"shards-previous\" href=\"{windowLink}{previous}\">Previous shards</a></li> ");
        if (window.NextFrom is { } next) html.Append($"<li><a id=\"shards-next\" href=\"{windowLink}{next}\">Next shards with failures</a></li>");
        html.Append("</ul>");
    }

    private static string Scope(ShardPage window) => window.Shards.Count switch
    {
        0 => $" (no image shard from index {window.From} on has failures)",
        _ when window.From == 0 && window.NextFrom is null => " in all shards",
        var count => $" in the {count} shard(s) with failures from shard {window.Shards[0].Index} to {window.Shards[^1].Index}",
    };
}
