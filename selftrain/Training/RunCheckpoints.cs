using System.Globalization;
using System.Text.Json;
using SSeg.Selftrain.Model;
using SSeg.Selftrain.Optim;

namespace SSeg.Selftrain.Training;

/// <summary>Pointer to the last complete checkpoint of a run (written last, atomically).</summary>
public sealed record LatestCheckpoint(long Iteration, string Model, string Optimizer);

/// <summary>
/// checkpoints/iter-NNNNNNN.safetensors (model, self-describing S-Seg+ file) + .optim.bin (AdamW state) and
/// latest.json. A checkpoint is visible only once latest.json names it, so a crash mid-save never resumes from
/// half a checkpoint.
/// </summary>
public sealed class RunCheckpoints(string runDirectory)
{
    public string Folder { get; } = Path.Combine(runDirectory, "checkpoints");
    public string LatestPath => Path.Combine(Folder, "latest.json");

    public LatestCheckpoint? ReadLatest()
    {
        if (!File.Exists(LatestPath)) return null;
        try
        {
            return JsonSerializer.Deserialize<LatestCheckpoint>(File.ReadAllText(LatestPath))
                ?? throw new InvalidDataException($"{LatestPath}: empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{LatestPath}: {e.Message}", e);
        }
    }

    public LatestCheckpoint Save(SSegPlusModel model, LayerDecayOptimizer optimizer, long iteration, int keep, IReadOnlyDictionary<string, string> metadata)
    {
        Directory.CreateDirectory(Folder);
        var stem = $"iter-{iteration:D7}";
        var modelPath = Path.Combine(Folder, stem + ".safetensors");
        var optimPath = Path.Combine(Folder, stem + ".optim.bin");
        var meta = new Dictionary<string, string>(metadata) { ["sseg.step"] = iteration.ToString(CultureInfo.InvariantCulture) };
        SSegPlusCheckpoint.Save(model, modelPath, meta);
        var tmpOptim = optimPath + ".tmp";
        optimizer.Optimizer.save_state_dict(tmpOptim);
        File.Move(tmpOptim, optimPath, overwrite: true);
        var latest = new LatestCheckpoint(iteration, Path.GetFileName(modelPath), Path.GetFileName(optimPath));
        var tmp = LatestPath + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(latest));
        File.Move(tmp, LatestPath, overwrite: true);
        Prune(keep, latest);
        return latest;
    }

    private void Prune(int keep, LatestCheckpoint latest)
    {
        var stems = Directory.EnumerateFiles(Folder, "iter-*.safetensors").Select(Path.GetFileNameWithoutExtension)
            .OfType<string>().OrderByDescending(s => s, StringComparer.Ordinal).ToList();
        foreach (var stem in stems.Skip(keep))
        {
            if (latest.Model.StartsWith(stem, StringComparison.Ordinal)) continue;
            File.Delete(Path.Combine(Folder, stem + ".safetensors"));
            File.Delete(Path.Combine(Folder, stem + ".optim.bin"));
        }
    }
}
