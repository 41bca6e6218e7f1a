using System.Text.Json;

namespace SSeg.Runs;

/// <summary>A checkpoint fetched to local disk for loading.</summary>
public sealed record LocalCheckpoint(string Name, string Directory, CheckpointState State);

/// <summary>
/// The checkpoints of a run: <c>checkpoints/step-NNNNNNNN/</c> folders (model.safetensors, optimizer.bin,
/// trainer.json and any trainer files) and <c>checkpoints/latest.json</c>, which names the newest complete one and
/// is written after the folder, so a crash mid-save never resumes from half a checkpoint. Older folders beyond
/// the kept count are deleted after a save.
/// </summary>
public sealed class CheckpointManager(RunFolder run)
{
    public const string ModelFile = "model.safetensors";
    public const string OptimizerFile = "optimizer.bin";
    public const string StateFile = "trainer.json";
    public const string LatestFile = "checkpoints/latest.json";

    public RunFolder Run { get; } = run;

    public static string Name(long step) => $"step-{step:D8}";

    /// <summary>Publishes a locally written checkpoint folder, then points latest.json at it; keeps the newest <paramref name="keep"/> (0: all).</summary>
    public async Task PublishAsync(string localDir, long step, int keep, CancellationToken ct)
    {
        var name = Name(step);
        foreach (var file in Directory.GetFiles(localDir).OrderBy(f => f, StringComparer.Ordinal))
            await Run.UploadFileAsync(file, $"checkpoints/{name}/{Path.GetFileName(file)}", ct);
        await Run.WriteTextAsync(LatestFile, JsonSerializer.Serialize(new { checkpoint = name, step }), ct);
        if (keep <= 0) return;
        var names = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var o in Run.Storage.ListAsync(Run.Key("checkpoints/step-"), ct))
            names.Add(o.Key[(Run.Prefix.Length + "/checkpoints/".Length)..].Split('/')[0]);
        foreach (var old in names.Where(n => string.CompareOrdinal(n, name) < 0).Reverse().Skip(keep - 1).ToList())
            await foreach (var o in Run.Storage.ListAsync(Run.Key($"checkpoints/{old}/"), ct))
                await Run.Storage.DeleteAsync(o.Key, ct);
    }

    /// <summary>Name of the newest complete checkpoint, or null when the run has none.</summary>
    public async Task<string?> LatestAsync(CancellationToken ct)
    {
        var json = await Run.ReadTextAsync(LatestFile, ct);
        if (json is null) return null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.GetProperty("checkpoint").GetString()
                ?? throw new InvalidDataException($"{Run.Key(LatestFile)}: checkpoint is null");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"{Run.Key(LatestFile)}: {e.Message}", e);
        }
    }

    /// <summary>Downloads a checkpoint folder into <paramref name="localDir"/> and reads its state.</summary>
    public async Task<LocalCheckpoint> DownloadAsync(string name, string localDir, CancellationToken ct)
    {
        Directory.CreateDirectory(localDir);
        await foreach (var o in Run.Storage.ListAsync(Run.Key($"checkpoints/{name}/"), ct))
            await Run.DownloadFileAsync(o.Key[(Run.Prefix.Length + 1)..], Path.Combine(localDir, Path.GetFileName(o.Key)), ct);
        var statePath = Path.Combine(localDir, StateFile);
        if (!File.Exists(statePath))
            throw new InvalidDataException($"{Run.Key($"checkpoints/{name}/{StateFile}")} is missing (latest.json names an incomplete checkpoint)");
        var state = CheckpointState.Parse(await File.ReadAllTextAsync(statePath, ct), Run.Key($"checkpoints/{name}/{StateFile}"));
        return new LocalCheckpoint(name, localDir, state);
    }
}
