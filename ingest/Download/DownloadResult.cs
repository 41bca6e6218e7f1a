namespace SSeg.Ingest.Download;

/// <summary>The body of a successful download, or why it failed.</summary>
public sealed record DownloadResult(byte[]? Body, string? FinalUrl, string? ContentType, string? FailureReason, string? Detail, int Attempts)
{
    public bool Ok => FailureReason is null;

    public static DownloadResult Success(byte[] body, string finalUrl, string? contentType, int attempts) =>
        new(body, finalUrl, contentType, null, null, attempts);

    public static DownloadResult Failure(string reason, string detail, int attempts = 1, string? finalUrl = null) =>
        new(null, finalUrl, null, reason, detail, attempts);
}
