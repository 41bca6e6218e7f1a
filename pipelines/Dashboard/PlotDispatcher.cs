using Hangfire.Dashboard;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using SSeg.Pipelines.Hosting;

namespace SSeg.Pipelines.Dashboard;

/// <summary>
/// Serves a PNG under a stage output's plots folder (<c>runs/&lt;run&gt;/plots/*.png</c> or <c>reports/&lt;run&gt;/plots/*.png</c>),
/// confined to the local data root, with an ETag from size and time so a browser revalidates cheaply while training
/// rewrites the curves.
/// </summary>
internal sealed class PlotDispatcher : IDashboardDispatcher
{
    public async Task Dispatch(DashboardContext context)
    {
        var http = context.GetHttpContext();
        var relative = http.Request.Query["path"].ToString();
        var root = LocalDataRoot.Of(http.RequestServices.GetRequiredService<HostSettings>());
        var parts = relative.Split('/');
        var shaped = parts is [("runs" or "reports"), var run, "plots", var file]
            && RunPlots.IsName(run) && RunPlots.IsName(file) && file.EndsWith(".png", StringComparison.OrdinalIgnoreCase);
        var path = root is not null && shaped ? LocalDataRoot.Resolve(root, relative) : null;
        if (path is null || !File.Exists(path))
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            await http.Response.WriteAsync("no such plot (plots are runs/<run>/plots/*.png or reports/<run>/plots/*.png on a local data root)");
            return;
        }
        var info = new FileInfo(path);
        var etag = $"\"{info.Length:x}-{info.LastWriteTimeUtc.Ticks:x}\"";
        http.Response.Headers.ETag = etag;
        http.Response.Headers.CacheControl = "private, max-age=10";
        if (http.Request.Headers.IfNoneMatch.ToString() == etag)
        {
            http.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        http.Response.ContentType = "image/png";
        await http.Response.SendFileAsync(path);
    }
}
