namespace SSeg.Ingest;

/// <summary>The failure reasons written to failures.parquet and counted in stats.json (see ingest/README.md).</summary>
public static class FailureReasons
{
    public const string Dns = "dns";
    public const string Connect = "connect";
    public const string Tls = "tls";
    public const string Timeout = "timeout";
    public const string ConnectionReset = "connection_reset";
    public const string Network = "network";
    public const string TooLarge = "too_large";
    public const string EmptyBody = "empty_body";
    public const string NotImage = "not_image";
    public const string DecodeError = "decode_error";
    public const string TooManyPixels = "too_many_pixels";
    public const string TooSmall = "too_small";
    public const string AspectRatio = "aspect_ratio";
    public const string OptOut = "opt_out";
    public const string Placeholder = "placeholder";
    public const string BlockedAddress = "blocked_address";
    public const string TooManyRedirects = "too_many_redirects";
    public const string RedirectLoop = "redirect_loop";
    public const string BadRedirect = "bad_redirect";
    public const string Duplicate = "duplicate";
    public const string MalformedRow = "malformed_row";
    public const string Internal = "internal_error";

    public static string Http(int status) => $"http_{status}";

    /// <summary>Failures that `--retry-failed` tries again (the others would fail the same way).</summary>
    public static bool IsRetriable(string reason) => reason switch
    {
        Duplicate or MalformedRow or OptOut or Placeholder or BlockedAddress or TooSmall or AspectRatio
            or TooManyPixels or TooLarge => false,
        _ => true,
    };
}
