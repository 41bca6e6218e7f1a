using System.Text;
using System.Text.Json;
using SSeg.Shards.Storage;

namespace SSeg.Train.Training;

/// <summary>Where a checkpoint's training state lives (trainer.json inside each checkpoint folder).</summary>
public sealed record TrainerState
{
    public required long Step { get; init; }
    public required int Epoch { get; init; }
    /// <summary>In-epoch sample position to continue from.</summary>
    public required long Position { get; init; }
    public required string ConfigJson { get; init; }
    public required int Seed { get; init; }
    public long DataFailures { get; init; }
    public DateTimeOffset SavedUtc { get; init; }
}

/// <summary>
/// A run folder in the storage root: <c>runs/&lt;run&gt;/</c> with <c>config.json</c>, <c>metrics.jsonl</c>,
/// <c>loss.png</c>, and <c>checkpoints/step-NNNNNNNN/</c> (model.safetensors, optimizer.bin, trainer.json,
/// bpe.txt.gz) plus <c>checkpoints/latest.json</c> naming the newest complete checkpoint. Files are staged
/// locally and published through <see cref="IStorage"/> (atomic per object; latest.json written last).
/// </summary>
public sealed class RunStore(IStorage storage, string run)
{
    public const string ModelFile = "model.safetensors";
    public const string OptimizerFile = "optimizer.bin";
    public const string TrainerFile = "trainer.json";
    public const string VocabFile = "bpe.txt.gz";

    public IStorage Storage { get; } = storage;
    public string Prefix { get; } = $"runs/{run}";
    public string Key(string relative) => $"{Prefix}/{relative}";
    public static string CheckpointName(long step) => $"step-{step:D8}";

    public async Task WriteTextAsync(string relative, string text, CancellationToken ct) =>
        await Storage.WriteAsync(Key(relative), Encoding.UTF8.GetBytes(text), ct);

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

    /// <summary>Publishes a locally written checkpoint folder, then points latest.json at it; prunes old ones.</summary>
    public async Task PublishCheckpointAsync(string localDir, long step, int keep, CancellationToken ct)
    {
        var name = CheckpointName(step);
        foreach (var file in Directory.GetFiles(localDir).OrderBy(f => f, StringComparer.Ordinal))
            await UploadFileAsync(file, $"checkpoints/{name}/{Path.GetFileName(file)}", ct);
        await WriteTextAsync("checkpoints/latest.json", JsonSerializer.Serialize(new { checkpoint = name, step }), ct);
        if (keep <= 0) return;
        var names = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var o in Storage.ListAsync(Key("checkpoints/step-"), ct))
        {
            var rel = o.Key[(Prefix.Length + "/checkpoints/".Length)..];
            names.Add(rel.Split('/')[0]);
        }
        foreach (var old in names.Where(n => string.CompareOrdinal(n, name) < 0).Reverse().Skip(keep - 1).ToList())
            await foreach (var o in Storage.ListAsync(Key($"checkpoints/{old}/"), ct))
                await Storage.DeleteAsync(o.Key, ct);
    }

    /// <summary>Name of the newest complete checkpoint, or null.</summary>
    public async Task<string?> LatestCheckpointAsync(CancellationToken ct)
    {
        var json = await ReadTextAsync("checkpoints/latest.json", ct);
        if (json is null) return null;
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("checkpoint").GetString();
    }

    /// <summary>Downloads a checkpoint folder to a local directory (for loading).</summary>
    public async Task DownloadCheckpointAsync(string name, string localDir, CancellationToken ct)
    {
        Directory.CreateDirectory(localDir);
        await foreach (var o in Storage.ListAsync(Key($"checkpoints/{name}/"), ct))
            await DownloadFileAsync(o.Key[(Prefix.Length + 1)..], Path.Combine(localDir, Path.GetFileName(o.Key)), ct);
    }
}
