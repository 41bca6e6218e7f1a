using System.Text;
using SSeg.Pipelines.Hosting;
using SSeg.Pipelines.Sql;

namespace SSeg.Pipelines.Dashboard;

/// <summary>
/// A query box over one dataset (DatasetSql): read-only DuckDB SQL over its images, failures and masks views, at most
/// 100 rows in 10 s, results as a table with image bytes shown as thumbnails. A GET form: a query is a shareable link.
/// </summary>
public sealed class DatasetSqlPage(string name) : SsegPage
{
    private const string Example = "SELECT key, image, caption, shard FROM images ORDER BY key LIMIT 10";

    protected override string Title => $"SQL: {name}";

    protected override void Render(StringBuilder html)
    {
        var settings = Service<HostSettings>();
        var query = QueryValue("q") ?? "";
        html.Append($"<h1 class=\"page-header\">SQL over <a href=\"{Link("/sseg/datasets/" + name)}\">{E(name)}</a></h1>");
        if (DatasetSql.Unavailable(settings.Storage.Root) is { } why)
        {
            html.Append($"<div class=\"alert alert-warning\" id=\"sql-unavailable\">{E(why)}</div>");
            return;
        }
        html.Append("<p>Views: <code>images</code> (key, image, caption, nouns, verbs, url, source, width, height, …, shard), ")
            .Append("<code>failures</code> (url, key, reason, detail, shard), <code>masks</code> (key, mask, height, width, segments, generator, shard). ")
            .Append($"One SELECT; at most {DatasetSql.DefaultMaxRows} rows and {DatasetSql.DefaultTimeLimit.TotalSeconds:0} s.</p>")
            .Append($"<form method=\"get\" action=\"{Link($"/sseg/datasets/{name}/sql")}\" id=\"sql-form\">")
            .Append($"<textarea class=\"form-control\" rows=\"4\" name=\"q\" id=\"sql\" style=\"font-family:monospace\">{E(query.Length > 0 ? query : Example)}</textarea><br/>")
            .Append("<button class=\"btn btn-primary\" type=\"submit\" id=\"run-sql\">Run</button></form><br/>");
        if (query.Trim().Length == 0) return;
        DatasetSql.Result result;
        try
        {
            result = DatasetSql.QueryAsync(LocalDataRoot.Of(settings)!, name, query, DatasetSql.DefaultMaxRows, DatasetSql.DefaultTimeLimit, Http.RequestAborted)
                .GetAwaiter().GetResult();
        }
        catch (SqlRefusedException e)
        {
            html.Append($"<div class=\"alert alert-danger\" id=\"sql-error\">{E(e.Message)}</div>");
            return;
        }
        html.Append($"<p id=\"sql-summary\">{result.Rows.Count} row(s){(result.Truncated ? $" (limit {DatasetSql.DefaultMaxRows} reached)" : "")} in {result.Elapsed.TotalMilliseconds:0} ms</p>")
            .Append("<div style=\"overflow-x:auto\"><table class=\"table table-condensed table-striped\" id=\"sql-result\"><thead><tr>");
        foreach (var column in result.Columns) html.Append($"<th>{E(column)}</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var row in result.Rows)
        {
            html.Append("<tr>");
            foreach (var value in row)
            {
                if (DatasetSql.ImageBytes(value) is { } image)
                    html.Append($"<td><img class=\"sql-image\" style=\"max-height:96px\" alt=\"image ({image.Length} bytes)\" src=\"data:{(image[0] == 0x89 ? "image/png" : "image/jpeg")};base64,{Convert.ToBase64String(image)}\"/></td>");
                else
                {
                    var text = DatasetSql.Text(value);
                    html.Append($"<td>{E(text.Length > 300 ? text[..300] + "…" : text)}</td>");
                }
            }
            html.Append("</tr>");
        }
        html.Append("</tbody></table></div>");
    }
}
