using System.Text.Json;
using System.Text.Json.Serialization;
using SSeg.Eval.Protocol;

namespace SSeg.Eval.Stage;

/// <summary>A background threshold calibrated for one checkpoint on one dataset kind, with its provenance.</summary>
/// <param name="ScorerSettings">The scorer settings (<c>--scorer-option</c>) the scores were made with: a τ only fits the
/// score it was calibrated on, so it is used only with the same settings.</param>
public sealed record StoredThreshold(
    [property: JsonPropertyName("threshold")] double Threshold,
    [property: JsonPropertyName("dataset")] string Dataset,
    [property: JsonPropertyName("split")] string Split,
    [property: JsonPropertyName("images")] int Images,
    [property: JsonPropertyName("miou")] double MeanIoU,
    [property: JsonPropertyName("scorer_settings")] IReadOnlyDictionary<string, string> ScorerSettings,
    [property: JsonPropertyName("calibrated_utc")] DateTimeOffset CalibratedUtc,
    [property: JsonPropertyName("curve")] IReadOnlyList<ThresholdScore> Curve)
{
    /// <summary>How a report names where the τ came from.</summary>
    public string Describe() => $"calibrated on {Dataset}:{Split} ({Images} images, {CalibratedUtc:yyyy-MM-dd})";

    public bool Fits(IReadOnlyDictionary<string, string> settings) =>
        ScorerSettings.Count == settings.Count && ScorerSettings.All(kv =>
            settings.TryGetValue(kv.Key, out var v) && string.Equals(v, kv.Value, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// The calibration sidecar of a checkpoint: <c>calibration.json</c> in the checkpoint's folder (or
/// <c>FILE.calibration.json</c> beside a bare weights file), one entry per dataset kind. Weights files stay
/// untouched, so a checkpoint's hash and its resume state do not change when it is calibrated.
/// </summary>
public static class StoredThresholds
{
    public const string FileName = "calibration.json";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static string PathFor(string checkpointFile)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(checkpointFile))!;
        return Path.GetFileName(checkpointFile) == "model.safetensors" ? Path.Combine(dir, FileName) : checkpointFile + "." + FileName;
    }

    /// <summary>The stored thresholds of the checkpoint a factory loads from <paramref name="checkpointPath"/>; empty
    /// when the factory cannot name the weights file or the checkpoint was never calibrated.</summary>
    public static IReadOnlyDictionary<string, StoredThreshold> ForCheckpoint(Scoring.IScorerFactory factory, string checkpointPath) =>
        factory.ResolveCheckpointFile(checkpointPath) is { } file ? Read(file) : new Dictionary<string, StoredThreshold>();

    /// <summary>Entries by dataset kind; empty when the checkpoint was never calibrated.</summary>
    public static IReadOnlyDictionary<string, StoredThreshold> Read(string checkpointFile)
    {
        var path = PathFor(checkpointFile);
        if (!File.Exists(path)) return new Dictionary<string, StoredThreshold>();
        try
        {
            var entries = JsonSerializer.Deserialize<Dictionary<string, StoredThreshold>>(File.ReadAllText(path), Json);
            return new Dictionary<string, StoredThreshold>(entries ?? [], StringComparer.OrdinalIgnoreCase);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a calibration file ({e.Message}); delete it or run `eval calibrate` again", e);
        }
    }

    /// <summary>Adds or replaces the entry of <paramref name="kind"/> (write to a temporary file, then rename).</summary>
    public static string Write(string checkpointFile, string kind, StoredThreshold entry)
    {
        var entries = new Dictionary<string, StoredThreshold>(Read(checkpointFile), StringComparer.OrdinalIgnoreCase) { [kind] = entry };
        var path = PathFor(checkpointFile);
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(entries, Json));
        File.Move(temp, path, overwrite: true);
        return path;
    }
}
