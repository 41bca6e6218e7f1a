using System.CommandLine;
using System.Diagnostics;
using Spectre.Console;
using SSeg.Ingest.Download;
using SSeg.Ingest.Images;
using SSeg.Ingest.Manifests;
using SSeg.Ingest.Stage;
using ResizeMode = SSeg.Ingest.Images.ResizeMode;

namespace SSeg.Pipelines.Cli.Ingest;

/// <summary>`ingest`: runs the ingest stage in the foreground over a range of shards, with a progress bar and a summary.</summary>
internal static class IngestCommand
{
    private static readonly Option<string?> Config = new("--config") { Description = "JSON file with any of these options (keys without dashes); command-line options win." };
    private static readonly Option<string[]> Source = new("--source") { Description = "cc3m=PATH (caption TAB url), cc12m=PATH (url TAB caption) or redcaps=PATH (annotations folder or zip); repeat to combine. Plain or .gz.", AllowMultipleArgumentsPerToken = true };
    private static readonly Option<string?> Dataset = new("--dataset") { Description = "Dataset name (datasets/<name>/ under the root)." };
    private static readonly Option<string> Root = DataRootOption.Create("Storage root: a folder or az://container/prefix, connection string from SSEG_AZURE_CONNECTION_STRING");
    private static readonly Option<int> ShardSize = new("--shard-size") { Description = "Input rows per shard.", DefaultValueFactory = _ => 10_000 };
    private static readonly Option<string?> Shards = new("--shards") { Description = "Shards to run: a-b (inclusive), a, a- or -b. Default: all." };
    private static readonly Option<bool> RetryFailed = new("--retry-failed") { Description = "For committed shards, retry their failed URLs and republish the merged shard." };
    private static readonly Option<int> Concurrency = new("--concurrency") { Description = "Downloads in flight.", DefaultValueFactory = _ => 96 };
    private static readonly Option<int> Workers = new("--workers") { Description = "Image processing threads.", DefaultValueFactory = _ => Environment.ProcessorCount };
    private static readonly Option<double> Timeout = new("--timeout") { Description = "Seconds per download attempt, covering connect, headers, redirects and body.", DefaultValueFactory = _ => 15 };
    private static readonly Option<int> Retries = new("--retries") { Description = "Extra attempts for transient failures (connect errors, 429, 5xx).", DefaultValueFactory = _ => 2 };
    private static readonly Option<double> MaxBodyMb = new("--max-body-mb") { Description = "Largest body accepted, in MB.", DefaultValueFactory = _ => 20 };
    private static readonly Option<int> PerHost = new("--per-host-concurrency") { Description = "Requests in flight per host.", DefaultValueFactory = _ => 16 };
    private static readonly Option<string[]> HostInterval = new("--host-interval") { Description = "Minimum seconds between requests to a host, HOST=SECONDS (e.g. i.imgur.com=2); '*=S' for all hosts.", AllowMultipleArgumentsPerToken = true };
    private static readonly Option<bool> AllowPrivate = new("--allow-private") { Description = "Turn the SSRF guard off: allow loopback, private, link-local, special-purpose and this host's own addresses." };
    private static readonly Option<bool> IgnoreOptOut = new("--ignore-opt-out") { Description = "Do not honour X-Robots-Tag noai/noimageai/noindex/noimageindex." };
    private static readonly Option<string?> ContactUrl = new("--contact-url") { Description = "URL named in the user agent so site owners can reach you." };
    private static readonly Option<int> ImageSize = new("--image-size") { Description = "Target size (see --resize-mode).", DefaultValueFactory = _ => 512 };
    private static readonly Option<ResizeMode> Mode = new("--resize-mode") { Description = "keep_ratio (shorter side), center_crop, border or no.", DefaultValueFactory = _ => ResizeMode.KeepRatio, CustomParser = r => ParseMode(r.Tokens.Single().Value) };
    private static readonly Option<bool> Upscale = new("--upscale") { Description = "Also enlarge images smaller than --image-size (default: only shrink)." };
    private static readonly Option<int> MinSize = new("--min-image-size") { Description = "Refuse images whose shorter side is smaller (too_small).", DefaultValueFactory = _ => 0 };
    private static readonly Option<double?> MaxAspect = new("--max-aspect-ratio") { Description = "Refuse images whose longer/shorter side ratio is above this (aspect_ratio)." };
    private static readonly Option<int> Quality = new("--jpeg-quality") { Description = "JPEG quality of re-encoded images.", DefaultValueFactory = _ => 95 };
    private static readonly Option<ReencodePolicy> Reencode = new("--reencode") { Description = "WhenNeeded keeps a plain JPEG that needs no change as downloaded; Always re-encodes every image.", DefaultValueFactory = _ => ReencodePolicy.WhenNeeded };
    private static readonly Option<long> MaxPixels = new("--max-pixels") { Description = "Decompression-bomb guard, read from the header (too_many_pixels).", DefaultValueFactory = _ => 50_000_000 };
    private static readonly Option<bool> NoDedupe = new("--no-dedupe") { Description = "Keep repeated URLs instead of counting them as duplicate." };
    private static readonly Option<int> HeapLimit = new("--gc-heap-limit-mb") { Description = "Hard limit on the managed heap in MB (0: none); keeps memory flat on long runs." };
    private static readonly Option<bool> Plain = new("--plain") { Description = "Print one line per shard instead of a live progress bar." };

    public static Command Create()
    {
        var command = new Command("ingest",
            "Download image-text pairs from CC3M/CC12M/RedCaps manifests into image shards (datasets/<name>/images/part-NNNNN.parquet " +
            "+ stats.json + failures.parquet). Committed shards are skipped, so a re-run resumes.");
        foreach (var o in new Option[] { Config, Source, Dataset, Root, ShardSize, Shards, RetryFailed, Concurrency, Workers, Timeout, Retries,
                     MaxBodyMb, PerHost, HostInterval, AllowPrivate, IgnoreOptOut, ContactUrl, ImageSize, Mode, Upscale, MinSize, MaxAspect,
                     Quality, Reencode, MaxPixels, NoDedupe, HeapLimit, Plain })
            command.Options.Add(o);
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var config = IngestConfigFile.Load(parse.GetValue(Config));
                var options = Build(parse, config);
                var range = config.Get(parse, Shards);
                GcHeapLimit.Apply(config.Get(parse, HeapLimit));
                return await IngestRunner.RunAsync(options, range, config.Get(parse, Plain), ct);
            }
            catch (Exception e) when (e is FormatException or FileNotFoundException or DirectoryNotFoundException or ArgumentException
                                          or InvalidOperationException or NotSupportedException or System.Text.Json.JsonException)
            {
                Console.Error.WriteLine($"ingest: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    private static ResizeMode ParseMode(string text) => text.Replace("_", "").Replace("-", "").ToLowerInvariant() switch
    {
        "keepratio" => ResizeMode.KeepRatio,
        "centercrop" => ResizeMode.CenterCrop,
        "border" => ResizeMode.Border,
        "no" or "none" => ResizeMode.No,
        _ => throw new FormatException($"--resize-mode {text}: use keep_ratio, center_crop, border or no"),
    };

    private static IngestOptions Build(ParseResult parse, IngestConfigFile config)
    {
        var sources = (config.Get(parse, Source) ?? []).Select(SourceSpec.Parse).ToList();
        if (sources.Count == 0) throw new FormatException("give at least one --source cc3m=PATH, cc12m=PATH or redcaps=PATH");
        var dataset = config.Get(parse, Dataset) ?? throw new FormatException("--dataset NAME is required");
        var intervals = new Dictionary<string, TimeSpan>(StringComparer.OrdinalIgnoreCase);
        var defaultInterval = TimeSpan.Zero;
        foreach (var spec in config.Get(parse, HostInterval) ?? [])
        {
            var eq = spec.IndexOf('=');
            if (eq <= 0 || !double.TryParse(spec[(eq + 1)..], System.Globalization.CultureInfo.InvariantCulture, out var seconds) || seconds < 0)
                throw new FormatException($"--host-interval {spec}: expected HOST=SECONDS");
            if (spec[..eq] == "*") defaultInterval = TimeSpan.FromSeconds(seconds);
            else intervals[spec[..eq]] = TimeSpan.FromSeconds(seconds);
        }
        var download = new DownloadOptions
        {
            Timeout = TimeSpan.FromSeconds(config.Get(parse, Timeout)),
            MaxRetries = config.Get(parse, Retries),
            MaxBodyBytes = (long)(config.Get(parse, MaxBodyMb) * 1024 * 1024),
            PerHostConcurrency = config.Get(parse, PerHost),
            PerHostMinInterval = defaultInterval,
            HostMinIntervals = intervals,
            AllowPrivateAddresses = config.Get(parse, AllowPrivate),
            RespectOptOut = !config.Get(parse, IgnoreOptOut),
        };
        if (config.Get(parse, ContactUrl) is { } contact) download = download with { ContactUrl = contact };
        return new IngestOptions
        {
            Sources = sources,
            Dataset = dataset,
            Root = config.Get(parse, Root),
            AzureConnectionString = Environment.GetEnvironmentVariable("SSEG_AZURE_CONNECTION_STRING"),
            ShardSize = config.Get(parse, ShardSize),
            RetryFailed = config.Get(parse, RetryFailed),
            DownloadConcurrency = Math.Max(1, config.Get(parse, Concurrency)),
            ProcessWorkers = Math.Max(1, config.Get(parse, Workers)),
            Dedupe = !config.Get(parse, NoDedupe),
            Download = download,
            Image = new ImageOptions
            {
                ImageSize = config.Get(parse, ImageSize),
                Mode = config.Get(parse, Mode),
                ResizeOnlyIfBigger = !config.Get(parse, Upscale),
                MinImageSize = config.Get(parse, MinSize),
                MaxAspectRatio = config.Get(parse, MaxAspect) ?? double.PositiveInfinity,
                JpegQuality = config.Get(parse, Quality),
                Reencode = config.Get(parse, Reencode),
                MaxPixels = config.Get(parse, MaxPixels),
            },
        };
    }
}
