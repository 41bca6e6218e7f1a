using System.Globalization;

namespace SSeg.Pipelines.Jobs;

/// <summary>What a stage job knows: its run, its place in the pipeline, its options and the data root.</summary>
public sealed record StageContext(
    string RunId,
    string PipelineName,
    int StageIndex,
    IReadOnlyDictionary<string, string> Options,
    string StorageRoot,
    string? AzureConnectionString)
{
    /// <summary>Who gave the options: decides whether paths are accepted (OptionValue). Strict unless told otherwise.</summary>
    public OptionOrigin Origin { get; init; } = OptionOrigin.Dashboard;

    /// <summary>Folders a dashboard checkpoint path may lie under (Dashboard:AllowedModelFolders).</summary>
    public IReadOnlyList<string> AllowedModelFolders { get; init; } = [];

    public string? Get(string name) =>
        Options.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    public string Require(string name) =>
        Get(name) ?? throw new StageOptionException($"option '{name}' is required");

    public int GetInt(string name, int fallback)
    {
        var text = Get(name);
        if (text is null) return fallback;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value : throw new StageOptionException($"option '{name}' must be an integer, got '{text}'");
    }

    public double GetDouble(string name, double fallback)
    {
        var text = Get(name);
        if (text is null) return fallback;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value : throw new StageOptionException($"option '{name}' must be a number, got '{text}'");
    }

    public bool GetBool(string name, bool fallback)
    {
        var text = Get(name);
        if (text is null) return fallback;
        return bool.TryParse(text, out var value)
            ? value : throw new StageOptionException($"option '{name}' must be true or false, got '{text}'");
    }

    /// <summary>A list option: one item per line or separated by ';'.</summary>
    public IReadOnlyList<string> GetList(string name) =>
        (Get(name) ?? "").Split(['\n', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>A bad option value; shown to the user as a validation error.</summary>
public sealed class StageOptionException(string message) : Exception(message);
