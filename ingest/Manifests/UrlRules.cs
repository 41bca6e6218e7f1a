namespace SSeg.Ingest.Manifests;

/// <summary>Which manifest URLs are acceptable at all (before any network check).</summary>
public static class UrlRules
{
    /// <summary>Null when the URL is usable, else why it is not.</summary>
    public static string? Problem(string? url, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(url)) return "empty url";
        if (url.Length > maxLength) return $"url longer than {maxLength} characters";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return "url is not an absolute URI";
        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) return $"url scheme '{uri.Scheme}' is not http(s)";
        if (string.IsNullOrEmpty(uri.Host)) return "url has no host";
        return null;
    }
}
