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
/// simple, docs/method.md §7.2); <c>combination=argmax-query|normalized</c>; <c>background=default|none|word,word,…</c> (background concepts scored beside the classes, <see cref="BackgroundPrompts"/>)
/// (see <see cref="ScoreCombination"/>; default <see cref="ScoreCombinations.Default"/>).
/// </summary>
public sealed class SSegScorerFactory : IScorerFactory
{
    public string Kind => SSegCheckpoint.Kind;

    public bool CanLoad(string checkpointPath)
    {
        var file = ResolveModelFile(checkpointPath);
        return file is not null && SafetensorsFile.HasMetadata(file, SSegCheckpoint.KindKey, SSegCheckpoint.Kind);
    }

    public ISegmentationScorer Load(string checkpointPath, ScorerLoadOptions options)
    {
        // Settings first: a bad value fails before any weights are read.
        var templates = options.Settings.TryGetValue("templates", out var t) ? PromptTemplates.ByName(t) : PromptTemplates.Simple;
        var combination = options.Settings.TryGetValue(ScoreCombinations.SettingKey, out var c) ? ScoreCombinations.Parse(c) : ScoreCombinations.Default;
        var background = BackgroundPrompts.Parse(options.Settings.GetValueOrDefault(BackgroundPrompts.SettingKey));
        var file = ResolveModelFile(checkpointPath)
            ?? throw new FileNotFoundException($"no S-Seg checkpoint (model.safetensors) at {checkpointPath}", checkpointPath);
        var meta = SafetensorsFile.ReadMetadata(file);
        var configJson = meta.Require(SSegCheckpoint.ConfigKey, "an S-Seg checkpoint");
        var config = JsonSerializer.Deserialize<SSegModelConfig>(configJson)!;
        var vocab = Path.Combine(Path.GetDirectoryName(file)!, RunStore.VocabFile);
        var tokenizer = BpeTokenizer.Load(vocab, maxMerges: int.MaxValue, contextLength: config.ContextLength);
        var model = new SSegModel(config);
        try { CheckpointLoader.Load(model, file); }
        catch { model.Dispose(); throw; }
        var step = meta.Get("sseg.step");
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
}
