using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.FileProviders;

namespace SSeg.Pipelines.Demo;

/// <summary>Serves a sample image folder over the host's own HTTP listener under /sample/ (read-only, static files).</summary>
public static class SampleServer
{
    public const string PathPrefix = "/sample";

    public static void Map(WebApplication app, string folder)
    {
        Directory.CreateDirectory(folder);
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(Path.GetFullPath(folder)),
            RequestPath = new PathString(PathPrefix),
            ServeUnknownFileTypes = false,
        });
    }

    public static string BaseUrl(string listenUrl) => listenUrl.TrimEnd('/') + PathPrefix;
}
