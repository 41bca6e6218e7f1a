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

    /// <summary>The value given, else the declared default; null when neither. Refused when outside the declaration.</summary>
    public string? Value(StageOption option)
    {
        var text = Get(option.Name) ?? option.Default;
        if (text is not null && option.Refusal(text) is { } why) throw new StageOptionException($"option '{option.Name}' {why}");
        return text;
    }

    public string Text(StageOption option) => Value(option) ?? throw new StageOptionException($"option '{option.Name}' is required");

    public int Int(StageOption option) => (int)Long(option);

    public int? OptionalInt(StageOption option) => Value(option) is null ? null : Int(option);

    public long Long(StageOption option) => long.Parse(Text(option), NumberStyles.Integer, CultureInfo.InvariantCulture);

    public double Number(StageOption option) => double.Parse(Text(option), NumberStyles.Float, CultureInfo.InvariantCulture);

    public double? OptionalNumber(StageOption option) => Value(option) is null ? null : Number(option);

    public bool Flag(StageOption option) => Value(option) is { } text && bool.Parse(text);

    /// <summary>A Choice option's value, lower case.</summary>
    public string Choice(StageOption option) => Text(option).ToLowerInvariant();

    /// <summary>A list option: one item per line or separated by ';'.</summary>
    public IReadOnlyList<string> Lines(StageOption option) =>
        (Value(option) ?? "").Split(['\n', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>A bad option value; shown to the user as a validation error.</summary>
public sealed class StageOptionException(string message) : Exception(message);
