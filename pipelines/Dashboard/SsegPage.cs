using System.Text;
using Hangfire.Dashboard;
using Hangfire.Dashboard.Pages;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace SSeg.Pipelines.Dashboard;

/// <summary>
/// Base of the host's dashboard pages: Hangfire's layout (menu, styles) around HTML the page builds.
/// Pages reach the host's services through the request; forms post back to the page with the antiforgery token.
/// </summary>
public abstract class SsegPage : RazorPage
{
    protected abstract string Title { get; }

    /// <summary>Builds the page body; runs on GET and POST.</summary>
    protected abstract void Render(StringBuilder html);

    public override void Execute()
    {
        Layout = new LayoutPage(Title);
        var html = new StringBuilder();
        try
        {
            Render(html);
        }
        catch (Exception e)
        {
            html.Clear().Append($"<h1 class=\"page-header\">{E(Title)}</h1><div class=\"alert alert-danger\">{E(e.Message)}</div>");
        }
        WriteLiteral(html.ToString());
    }

    protected HttpContext Http => Context.GetHttpContext();

    protected T Service<T>() where T : notnull => Http.RequestServices.GetRequiredService<T>();

    protected bool IsPost => HttpMethods.IsPost(Http.Request.Method);

    protected IFormCollection Form => Http.Request.ReadFormAsync().GetAwaiter().GetResult();

    protected string? FormValue(string name) => IsPost && Form.TryGetValue(name, out var v) ? v.ToString() : null;

    protected string? QueryValue(string name) => Http.Request.Query.TryGetValue(name, out var v) ? v.ToString() : null;

    protected int QueryInt(string name, int fallback) => int.TryParse(QueryValue(name), out var n) ? n : fallback;

    /// <summary>Absolute path of a dashboard-relative URL (e.g. "/sseg/runs").</summary>
    protected string Link(string relative) => Url.To(relative);

    protected string AntiforgeryInput() =>
        Context.AntiforgeryToken is { } token
            ? $"<input type=\"hidden\" name=\"{DashboardPages.AntiforgeryField}\" value=\"{E(token)}\"/>"
            : "";

    protected static string E(string? text) => DisplayText.Html(text);

    protected static string U(string text) => Uri.EscapeDataString(text);

    protected static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.0} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:0.0} KiB",
        _ => $"{bytes} B",
    };

    protected static void Errors(StringBuilder html, IEnumerable<string> errors)
    {
        var list = errors.ToList();
        if (list.Count == 0) return;
        html.Append("<div class=\"alert alert-danger validation-errors\"><strong>Not started:</strong><ul>");
        foreach (var error in list) html.Append($"<li>{E(error)}</li>");
        html.Append("</ul></div>");
    }
}
