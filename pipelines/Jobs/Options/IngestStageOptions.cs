using SSeg.Ingest.Download;
using SSeg.Ingest.Images;
using SSeg.Ingest.Stage;
using static SSeg.Pipelines.Jobs.StageOption;

namespace SSeg.Pipelines.Jobs;

/// <summary>The ingest stage's options, declared once for the CLI verb, pipeline files and the Run form.</summary>
public static class IngestStageOptions
{
    private static readonly IngestOptions Defaults = new() { Sources = [], Dataset = "" };

    public static readonly StageOption Dataset = NameOption("dataset", "Dataset name to write (datasets/<name>/ under the data root).", required: true);
    public static readonly StageOption Sources = Lines("sources",
        "One manifest per line: cc3m=PATH (caption TAB url), cc12m=PATH (url TAB caption) or redcaps=PATH (annotations folder or zip); plain or .gz.",
        required: true) with { CliAliases = ["--source"] };
    public static readonly StageOption ShardSize = Int("shardSize", "Input rows per shard (one job each).", Defaults.ShardSize, 1, 10_000_000);
    public static readonly StageOption RetryFailed = Flag("retryFailed", "For committed shards, retry their failed URLs and republish the merged shard.");
    public static readonly StageOption DownloadConcurrency = Int("downloadConcurrency", "Downloads in flight per job.", Defaults.DownloadConcurrency, 1, 4096)
        with { CliAliases = ["--concurrency"] };
    public static readonly StageOption ProcessWorkers = Int("processWorkers", "Image processing threads (empty: one per core).", null, 1, 1024)
        with { CliAliases = ["--workers"] };
    public static readonly StageOption TimeoutSeconds = Number("timeoutSeconds", "Seconds per download attempt, covering connect, headers, redirects and body.",
        Defaults.Download.Timeout.TotalSeconds, 0.1, 3600) with { CliAliases = ["--timeout"] };
    public static readonly StageOption Retries = Int("retries", "Extra attempts for transient failures (connect errors, 429, 5xx).", Defaults.Download.MaxRetries, 0, 20);
    public static readonly StageOption MaxBodyMb = Number("maxBodyMb", "Largest body accepted, in MB.", Defaults.Download.MaxBodyBytes / (1024.0 * 1024), 0.01, 4096);
    public static readonly StageOption PerHostConcurrency = Int("perHostConcurrency", "Requests in flight per host.", Defaults.Download.PerHostConcurrency, 1, 1024);
    public static readonly StageOption HostInterval = Lines("hostInterval",
        "Minimum seconds between requests to a host, one HOST=SECONDS per line (e.g. i.imgur.com=2); '*=S' for all hosts.");
    public static readonly StageOption AllowPrivateAddresses = Flag("allowPrivateAddresses",
        "Turn the SSRF guard off: allow loopback, private, link-local, special-purpose and this host's own addresses (local sample servers).")
        with { CliAliases = ["--allow-private"] };
    public static readonly StageOption IgnoreOptOut = Flag("ignoreOptOut", "Do not honour X-Robots-Tag noai/noimageai/noindex/noimageindex.");
    public static readonly StageOption ContactUrl = Text("contactUrl", "URL named in the user agent so site owners can reach you (empty: the project's).");
    public static readonly StageOption ImageSize = Int("imageSize", "Target size in pixels (see resizeMode).", Defaults.Image.ImageSize, 16, 16384);
    public static readonly StageOption ResizeMode = Choice("resizeMode", "keep_ratio (shorter side), center_crop, border or no.", "keep_ratio",
        "keep_ratio", "center_crop", "border", "no");
    public static readonly StageOption Upscale = Flag("upscale", "Also enlarge images smaller than imageSize (default: only shrink).");
    public static readonly StageOption MinImageSize = Int("minImageSize", "Refuse images whose shorter side is smaller (too_small).", Defaults.Image.MinImageSize, 0, 16384);
    public static readonly StageOption MaxAspectRatio = Number("maxAspectRatio", "Refuse images whose longer/shorter side ratio is above this (aspect_ratio; empty: no limit).",
        null, 1, 1000);
    public static readonly StageOption JpegQuality = Int("jpegQuality", "JPEG quality of re-encoded images.", Defaults.Image.JpegQuality, 1, 100);
    public static readonly StageOption Reencode = Choice("reencode", "when_needed keeps a plain JPEG that needs no change as downloaded; always re-encodes every image.",
        "when_needed", "when_needed", "always");
    public static readonly StageOption MaxPixels = Int("maxPixels", "Decompression-bomb guard, read from the header (too_many_pixels).", Defaults.Image.MaxPixels, 1, 1_000_000_000);
    public static readonly StageOption NoDedupe = Flag("noDedupe", "Keep repeated URLs instead of counting them as duplicate.");

    public static IReadOnlyList<StageOption> All { get; } =
    [
        Dataset, Sources, ShardSize, RetryFailed, DownloadConcurrency, ProcessWorkers, TimeoutSeconds, Retries, MaxBodyMb, PerHostConcurrency,
        HostInterval, AllowPrivateAddresses, IgnoreOptOut, ContactUrl, ImageSize, ResizeMode, Upscale, MinImageSize, MaxAspectRatio, JpegQuality,
        Reencode, MaxPixels, NoDedupe,
    ];
}
