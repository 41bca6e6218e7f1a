using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SSeg.Ingest.Download;
using SSeg.Ingest.Images;
using SSeg.Ingest.Manifests;
using SSeg.Shards;

namespace SSeg.Ingest.Stage;

/// <summary>Everything one ingest run needs; the CLI, the Hangfire job and the tests build one of these.</summary>
public sealed record IngestOptions
{
    public required IReadOnlyList<SourceSpec> Sources { get; init; }
    public required string Dataset { get; init; }

    /// <summary>Storage root: a local folder or az://container/prefix.</summary>
    public string Root { get; init; } = "./data";

    public string? AzureConnectionString { get; init; }

    /// <summary>Input rows per shard: shard i holds rows [i·N, (i+1)·N).</summary>
    public int ShardSize { get; init; } = 10_000;

    /// <summary>Downloads in flight at once.</summary>
    public int DownloadConcurrency { get; init; } = 96;

    /// <summary>Decode/resize/encode/tag workers.</summary>
    public int ProcessWorkers { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Image bytes buffered per Parquet row group. The writer holds about two row groups at once, so this sets most
    /// of the stage's memory; 16 MiB keeps a run well under 500 MB.
    /// </summary>
    public long RowGroupBytes { get; init; } = 16L << 20;

    /// <summary>Skip URLs already seen earlier in the combined input (failure reason duplicate).</summary>
    public bool Dedupe { get; init; } = true;

    /// <summary>For committed shards: re-attempt their failed URLs and publish the merged shard.</summary>
    public bool RetryFailed { get; init; }

    public DownloadOptions Download { get; init; } = new();
    public ImageOptions Image { get; init; } = new();
    public ManifestReadOptions Manifest { get; init; } = new();

    /// <summary>
    /// Hash of what decides a shard's content: source names and formats, shard size, de-duplication and the image
    /// settings. A dataset keeps one configuration; a different one needs a new dataset name.
    /// </summary>
    public string ConfigHash()
    {
        var description = new
        {
            sources = Sources.Select(s => $"{s.Name}:{s.Kind}").ToArray(),
            shard_size = ShardSize,
            dedupe = Dedupe,
            image = new
            {
                size = Image.ImageSize, mode = Image.Mode.ToString(), only_if_bigger = Image.ResizeOnlyIfBigger,
                min_size = Image.MinImageSize, max_aspect = double.IsInfinity(Image.MaxAspectRatio) ? -1 : Image.MaxAspectRatio,
                quality = Image.JpegQuality, max_pixels = Image.MaxPixels, reencode = Image.Reencode.ToString(),
            },
        };
        var json = JsonSerializer.Serialize(description);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..16];
    }

    /// <summary>Shard writer settings of this run.</summary>
    public ShardWriterOptions WriterOptions() => new() { RowGroupTargetBytes = RowGroupBytes };

    public string SourceDescription => string.Join("+", Sources.Select(s => s.Name));
}
