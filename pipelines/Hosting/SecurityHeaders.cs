using Microsoft.AspNetCore.Http;

namespace SSeg.Pipelines.Hosting;

/// <summary>Response headers that keep browsers from sniffing, framing or leaking dashboard URLs.</summary>
public static class SecurityHeaders
{
    /// <summary>
    /// 'unsafe-inline' for scripts and styles: Hangfire's dashboard pages (and ours, built on its layout) embed
    /// inline script blocks and style attributes, and a nonce cannot be threaded through Hangfire's page rendering.
    /// Everything else is same-origin only; data: images are the dataset page's thumbnails and mask overlays.
    /// frame-ancestors (with X-Frame-Options for old browsers) stops clickjacking of the Run and Schedules actions.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Middleware: sets the headers before the response starts (also on 401/403/404 answers).</summary>
    public static Task ApplyAsync(HttpContext http, Func<Task> next)
    {
        var headers = http.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        // Dashboard URLs name runs, datasets and file paths; no need to hand them to other sites.
        headers["Referrer-Policy"] = "no-referrer";
        return next();
    }
}
