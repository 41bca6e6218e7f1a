using System.Text;
using SSeg.Shards;
using SSeg.Shards.Storage;

namespace SSeg.Runs;

/// <summary>
/// A training run's folder in the storage root, <c>runs/&lt;run&gt;/</c>: the only place that knows its object keys.
/// Everything goes through <see cref="IStorage"/>, so a local folder and an <c>az://</c> root behave alike
/// (objects are written whole; there is no append).
/// </summary>
public sealed class RunFolder
{
    public const string MetadataFile = "run.json";
    public const string MetricsFile = "metrics.jsonl";
    public const string PlotsFolder = "plots";

    public RunFolder(IStorage storage, string run)
    {
        Storage = storage;
        Name = ShardNames.ValidateName(run, "run name");
        Prefix = $"runs/{Name}";
    }

    public IStorage Storage { get; }
    public string Name { get; }
    /// <summary>Storage key of the folder, <c>runs/&lt;run&gt;</c>.</summary>
    public string Prefix { get; }
    public string Key(string relative) => $"{Prefix}/{relative}";

    public Task WriteTextAsync(string relative, string text, CancellationToken ct) => WriteBytesAsync(relative, Encoding.UTF8.GetBytes(text), ct);

    public async Task WriteBytesAsync(string relative, byte[] content, CancellationToken ct) => await Storage.WriteAsync(Key(relative), content, ct);

    public async Task<string?> ReadTextAsync(string relative, CancellationToken ct)
    {
        var v = await Storage.ReadVersionedAsync(Key(relative), ct);
        return v is null ? null : Encoding.UTF8.GetString(v.Content);
    }

    public async Task UploadFileAsync(string localPath, string relative, CancellationToken ct)
    {
        await using var staged = await Storage.BeginWriteAsync(Key(relative), ct);
        await using (var f = File.OpenRead(localPath)) await f.CopyToAsync(staged.Stream, ct);
        await staged.CommitAsync(ct);
    }

    public async Task DownloadFileAsync(string relative, string localPath, CancellationToken ct)
    {
        await using var s = await Storage.OpenReadAsync(Key(relative), ct);
        await using var f = File.Create(localPath);
        await s.CopyToAsync(f, ct);
    }
}
