namespace SSeg.Ingest.Download;

/// <summary>
/// Placeholder images that hosts serve with status 200 for deleted content. Imgur redirects a removed image to
/// https://i.imgur.com/removed.png; any final URL whose path is /removed.png counts. Known placeholder hashes
/// can be configured (DownloadOptions.PlaceholderSha256).
/// </summary>
public static class PlaceholderRules
{
    public static bool IsPlaceholderUrl(Uri finalUrl) =>
        finalUrl.AbsolutePath.EndsWith("/removed.png", StringComparison.OrdinalIgnoreCase);
}
