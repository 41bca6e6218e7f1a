namespace SSeg.Pipelines.Hosting;

/// <summary>
/// The warning printed at start when the host listens beyond loopback without dashboard credentials. Access is
/// still limited to loopback clients then (DashboardAccess), but listening on the network usually means the
/// operator expects remote users, who would all get 403; worse, it relies on a single check for safety.
/// </summary>
public static class BindWarning
{
    /// <summary>
    /// The URLs Kestrel listens on: the Kestrel:Endpoints:*:Url entries when configured (Kestrel then ignores Urls),
    /// else <paramref name="urls"/>; ';'-separated like Urls.
    /// </summary>
    public static string ListenUrls(Microsoft.Extensions.Configuration.IConfiguration configuration, string urls)
    {
        var endpoints = configuration.GetSection("Kestrel:Endpoints").GetChildren()
            .Select(e => e["Url"]).OfType<string>().Where(u => u.Trim().Length > 0).ToList();
        return endpoints.Count > 0 ? string.Join(';', endpoints) : urls;
    }

    /// <summary>The warning for these listen URLs (';'-separated, as in Urls), or null when there is none to give.</summary>
    public static string? For(string urls, bool hasCredentials)
    {
        if (hasCredentials) return null;
        var exposed = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(url => !IsLoopback(HostOf(url))).ToList();
        if (exposed.Count == 0) return null;
        return $"Listening on a non-loopback address ({string.Join(", ", exposed)}) without Dashboard:Username and " +
               "Dashboard:Password: remote clients get 403 until credentials are set. Set them (and TLS, see README) or bind 127.0.0.1.";
    }

    // Kestrel's own URL forms: scheme://host:port, where host may be *, +, [v6] or a name; Uri rejects * and +.
    private static string HostOf(string url)
    {
        var rest = url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
        var end = rest.IndexOf('/');
        if (end >= 0) rest = rest[..end];
        if (rest.StartsWith('[')) return rest[..(rest.IndexOf(']') + 1)];
        var colon = rest.LastIndexOf(':');
        return colon >= 0 ? rest[..colon] : rest;
    }

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (System.Net.IPAddress.TryParse(host.Trim('[', ']'), out var address) && DashboardAccess.IsLoopback(address));
}
