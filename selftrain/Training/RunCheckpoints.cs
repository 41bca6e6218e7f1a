using System.Globalization;
using System.Text.Json;
using SSeg.Models;
using SSeg.Selftrain.Model;
using SSeg.Selftrain.Optim;
using SSeg.Train.Training;

namespace SSeg.Selftrain.Training;

/// <summary>trainer.json of an S-Seg+ checkpoint: iterations done.</summary>
public sealed record SelftrainState(long Iteration, DateTimeOffset SavedUtc);

/// <summary>
/// S-Seg+ checkpoints in train's run layout (<see cref="RunStore"/>): checkpoints/step-NNNNNNNN/ with
/// model.safetensors (a self-describing S-Seg+ file), optimizer.bin (AdamW moments) and trainer.json;
/// latest.json is written last, so a crash mid-save never resumes from half a checkpoint.
/// </summary>
public sealed class RunCheckpoints(RunStore run, string workDirectory)
{
    public RunStore Run { get; } = run;

    public async Task SaveAsync(SSegPlusModel model, LayerDecayOptimizer optimizer, long iteration, int keep,
        IReadOnlyDictionary<string, string> metadata, CancellationToken ct)
    {
        var dir = Path.Combine(workDirectory, RunStore.CheckpointName(iteration));
        Directory.CreateDirectory(dir);
        var meta = new Dictionary<string, string>(metadata) { ["sseg.step"] = iteration.ToString(CultureInfo.InvariantCulture) };
        SSegPlusCheckpoint.Save(model, Path.Combine(dir, RunStore.ModelFile), meta);
        optimizer.Optimizer.save_state_dict(Path.Combine(dir, RunStore.OptimizerFile));
        await File.WriteAllTextAsync(Path.Combine(dir, RunStore.TrainerFile),
            JsonSerializer.Serialize(new SelftrainState(iteration, DateTimeOffset.UtcNow)), ct);
        await Run.PublishCheckpointAsync(dir, iteration, keep, ct);
        Directory.Delete(dir, recursive: true);
    }

    /// <summary>Loads the newest checkpoint into the model and optimizer; returns its iteration, or 0 when there is none.</summary>
    public async Task<long> ResumeAsync(SSegPlusModel model, LayerDecayOptimizer optimizer, CancellationToken ct)
    {
        var latest = await Run.LatestCheckpointAsync(ct);
        if (latest is null) return 0;
        var dir = Path.Combine(workDirectory, latest);
        await Run.DownloadCheckpointAsync(latest, dir, ct);
        var stateText = await File.ReadAllTextAsync(Path.Combine(dir, RunStore.TrainerFile), ct);
        var state = JsonSerializer.Deserialize<SelftrainState>(stateText)
            ?? throw new InvalidDataException($"{Run.Key("checkpoints/" + latest)}/{RunStore.TrainerFile}: empty");
        CheckpointLoader.Load(model, Path.Combine(dir, RunStore.ModelFile), strict: true, options: new CheckpointReadOptions(StripPrefixes: []));
        optimizer.Optimizer.load_state_dict(Path.Combine(dir, RunStore.OptimizerFile));
        Directory.Delete(dir, recursive: true);
        return state.Iteration;
    }

    /// <summary>Copies the newest checkpoint's model to runs/&lt;run&gt;/model.safetensors (what eval scores).</summary>
    public async Task<string> PublishFinalModelAsync(CancellationToken ct)
    {
        var latest = await Run.LatestCheckpointAsync(ct) ?? throw new InvalidOperationException($"{Run.Prefix} has no checkpoint");
        var local = Path.Combine(workDirectory, "final.safetensors");
        await Run.DownloadFileAsync($"checkpoints/{latest}/{RunStore.ModelFile}", local, ct);
        await Run.UploadFileAsync(local, RunStore.ModelFile, ct);
        File.Delete(local);
        return Run.Key(RunStore.ModelFile);
    }
}
