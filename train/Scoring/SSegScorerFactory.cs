using System.Text;
using System.Text.Json;
using SSeg.Eval.Scoring;
using SSeg.Models;
using SSeg.Train.Model;
using SSeg.Train.Text;
using SSeg.Train.Training;

namespace SSeg.Train.Scoring;

/// <summary>
/// Loads S-Seg checkpoints for eval (<c>eval --model CKPT</c>): CKPT is a checkpoint folder
/// (<c>runs/RUN/checkpoints/step-N</c>, holding model.safetensors + bpe.txt.gz), its model.safetensors, or a run
/// folder (its latest checkpoint). Settings (<c>--scorer-option key=value</c>): <c>templates=simple|full</c> (default
/// simple, METHOD.md §7.2); <c>combination=normalized|sum-clipped|normalized-x-mask|max-query|argmax-query|mask-weighted-cosine</c>
/// (see <see cref="ScoreCombination"/>; default <see cref="ScoreCombinations.Default"/>).
/// </summary>
public sealed class SSegScorerFactory : IScorerFactory
{
    public string Kind => SSegCheckpoint.Kind;

    public bool CanLoad(string checkpointPath)
    {
        var file = ResolveModelFile(checkpointPath);
        if (file is null) return false;
        try { return ReadMetadata(file).TryGetValue(SSegCheckpoint.KindKey, out var k) && k == SSegCheckpoint.Kind; }
        catch (Exception e) when (e is IOException or InvalidDataException or JsonException) { return false; }
    }

    public ISegmentationScorer Load(string checkpointPath, ScorerLoadOptions options)
    {
        // Settings first: a bad value fails before any weights are read.
        var templates = options.Settings.TryGetValue("templates", out var t) ? PromptTemplates.ByName(t) : PromptTemplates.Simple;
        var combination = options.Settings.TryGetValue(ScoreCombinations.SettingKey, out var c) ? ScoreCombinations.Parse(c) : ScoreCombinations.Default;
        var background = BackgroundPrompts.Parse(options.Settings.GetValueOrDefault(BackgroundPrompts.SettingKey));
        var file = ResolveModelFile(checkpointPath)
            ?? throw new FileNotFoundException($"no S-Seg checkpoint (model.safetensors) at {checkpointPath}", checkpointPath);
        var meta = ReadMetadata(file);
        if (!meta.TryGetValue(SSegCheckpoint.ConfigKey, out var configJson))
            throw new InvalidDataException($"{file}: no '{SSegCheckpoint.ConfigKey}' metadata; not an S-Seg checkpoint");
        var config = JsonSerializer.Deserialize<SSegModelConfig>(configJson)!;
        var vocab = Path.Combine(Path.GetDirectoryName(file)!, RunStore.VocabFile);
        var tokenizer = BpeTokenizer.Load(vocab, maxMerges: int.MaxValue, contextLength: config.ContextLength);
        var model = new SSegModel(config);
        try { CheckpointLoader.Load(model, file); }
        catch { model.Dispose(); throw; }
        meta.TryGetValue("sseg.step", out var step);
        return new SSegScorer(model, tokenizer, options.Device, templates,
            $"S-Seg {config.Name}" + (step is null ? "" : $" step {step}"), combination, background);
    }

    public string? ResolveCheckpointFile(string checkpointPath) => ResolveModelFile(checkpointPath);

    /// <summary>The model.safetensors a path designates (file, checkpoint folder, or run folder's latest), or null.</summary>
    public static string? ResolveModelFile(string path)
    {
        if (File.Exists(path)) return path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase) ? path : null;
        if (!Directory.Exists(path)) return null;
        var direct = Path.Combine(path, RunStore.ModelFile);
        if (File.Exists(direct)) return direct;
        var latest = Path.Combine(path, "checkpoints", "latest.json");
        if (!File.Exists(latest)) return null;
        using var doc = JsonDocument.Parse(File.ReadAllText(latest));
        var candidate = Path.Combine(path, "checkpoints", doc.RootElement.GetProperty("checkpoint").GetString()!, RunStore.ModelFile);
        return File.Exists(candidate) ? candidate : null;
    }

    /// <summary>Reads only the safetensors header's __metadata__ (8-byte length + JSON), never the weights.</summary>
    public static Dictionary<string, string> ReadMetadata(string file)
    {
        using var s = File.OpenRead(file);
        var lengthBytes = new byte[8];
        s.ReadExactly(lengthBytes);
        long length = BitConverter.ToInt64(lengthBytes);
        if (length <= 0 || length > 100_000_000 || length > s.Length - 8) throw new InvalidDataException($"{file}: not a safetensors file");
        var header = new byte[length];
        s.ReadExactly(header);
        using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(header));
        var result = new Dictionary<string, string>();
        if (doc.RootElement.TryGetProperty("__metadata__", out var m))
            foreach (var p in m.EnumerateObject()) result[p.Name] = p.Value.GetString() ?? "";
        return result;
    }
}
