using System.Text;
using Hangfire.Dashboard;
using SSeg.Pipelines.Hosting;
using SSeg.Shards;

namespace SSeg.Pipelines.Dashboard;

/// <summary>Every dataset under the data root: shards, rows, bytes, success ratio, failure reasons, mask generators.</summary>
public sealed class DatasetsPage : SsegPage
{
    protected override string Title => "Datasets";

    protected override void Render(StringBuilder html)
    {
        var settings = Service<HostSettings>();
        var inspector = new DatasetInspector(DatasetStore.Open(settings.Storage.Root, settings.Storage.AzureConnectionString));
        var datasets = inspector.ListAsync().GetAwaiter().GetResult();
        html.Append($"<h1 class=\"page-header\">Datasets</h1><p>Data root: <code>{E(settings.Storage.Root)}</code></p>");
        if (datasets.Count == 0)
        {
            html.Append("<div class=\"alert alert-info\">No datasets yet.</div>");
            return;
        }
        html.Append("<table class=\"table table-striped\" id=\"datasets\"><thead><tr><th>Dataset</th><th>Source</th><th>Image shards</th><th>Rows</th><th>Bytes</th><th>Success</th><th>Failure reasons</th><th>Mask generators</th><th>Updated (UTC)</th></tr></thead><tbody>");
        foreach (var d in datasets)
        {
            var attempted = d.Rows + d.Failures;
            var ratio = attempted == 0 ? "–" : $"{100.0 * d.Rows / attempted:0.0}%";
            html.Append($"<tr><td><a href=\"{Link("/sseg/datasets/" + d.Name)}\">{E(d.Name)}</a></td><td>{E(d.Source)}</td><td>{d.ImageShards}</td><td>{d.Rows}</td><td>{Bytes(d.Bytes)}</td><td>{ratio}</td>")
                .Append($"<td>{E(string.Join(", ", d.FailuresByReason.OrderByDescending(r => r.Value).Select(r => $"{r.Key}: {r.Value}")))}</td>")
                .Append($"<td>{E(string.Join(", ", d.MaskShardsByGenerator.Select(g => $"{g.Key} ({g.Value} shards)")))}</td>")
                .Append($"<td>{d.UpdatedUtc:yyyy-MM-dd HH:mm}</td></tr>");
        }
        html.Append("</tbody></table>");
    }
}
