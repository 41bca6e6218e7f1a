namespace SSeg.Ingest.Download;

public sealed record DownloadOptions
{
    /// <summary>One deadline per attempt covering DNS, connect, TLS, headers, redirects and the whole body.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Bodies larger than this fail with too_large, checked against Content-Length and while streaming.</summary>
    public long MaxBodyBytes { get; init; } = 20L * 1024 * 1024;

    public int MaxRedirects { get; init; } = 5;

    /// <summary>Extra attempts for transient failures (connect errors, 429, 5xx). 403/404/410 are never retried.</summary>
    public int MaxRetries { get; init; } = 2;

    /// <summary>Backoff before retry k (0-based) is RetryBaseDelay·2^k plus up to 25% jitter, capped by MaxRetryDelay.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Address guard off switch: allow non-public and this host's own addresses (<see cref="AddressGuard"/>); the
    /// demo and the tests serve from loopback.
    /// </summary>
    public bool AllowPrivateAddresses { get; init; }

    /// <summary>
    /// "ip:port" endpoints the SSRF guard lets through even though they are private (an internal mirror, a test
    /// server); every other private address stays blocked, also as a redirect target.
    /// </summary>
    public IReadOnlySet<string> GuardExemptEndpoints { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Honour X-Robots-Tag noai / noimageai / noindex / noimageindex.</summary>
    public bool RespectOptOut { get; init; } = true;

    public IReadOnlyList<string> OptOutDirectives { get; init; } = ["noai", "noimageai", "noindex", "noimageindex"];

    /// <summary>The product token in the user agent; X-Robots-Tag lines aimed at this token (or at none) apply.</summary>
    public string UserAgentToken { get; init; } = "sseg-ingest";

    public string ContactUrl { get; init; } = "https://github.com/sseg-pipeline/sseg#ingest";

    public string UserAgent => $"Mozilla/5.0 (compatible; {UserAgentToken}/1.0; +{ContactUrl})";

    /// <summary>At most this many requests in flight to one host.</summary>
    public int PerHostConcurrency { get; init; } = 16;

    /// <summary>Minimum time between request starts to one host (0: none).</summary>
    public TimeSpan PerHostMinInterval { get; init; } = TimeSpan.Zero;

    /// <summary>Per-host overrides of the minimum interval, e.g. i.imgur.com → 2 s as RedCaps' downloader does.</summary>
    public IReadOnlyDictionary<string, TimeSpan> HostMinIntervals { get; init; } = new Dictionary<string, TimeSpan>(StringComparer.OrdinalIgnoreCase);

    /// <summary>sha256 (lower-case hex) of known placeholder images served with status 200.</summary>
    public IReadOnlySet<string> PlaceholderSha256 { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
}
