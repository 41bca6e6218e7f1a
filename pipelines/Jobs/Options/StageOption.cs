using System.Globalization;
using System.Text;

namespace SSeg.Pipelines.Jobs;

/// <summary>What kind of value an option holds; decides its parsing, its CLI form and its Run-form control.</summary>
public enum OptionType
{
    /// <summary>Free text (names and paths too: their rule is the option's <see cref="OptionKind"/>).</summary>
    Text,

    /// <summary>Several items: one per line in pipeline files and the Run form, a repeatable option on the CLI.</summary>
    Lines,

    Integer,
    Number,

    /// <summary>true or false: a flag on the CLI, a checkbox in the Run form.</summary>
    Boolean,

    /// <summary>One of <see cref="StageOption.Choices"/>.</summary>
    Choice,
}

/// <summary>Where an option can be given. Pipeline covers pipeline files, the Run form and schedules.</summary>
[Flags]
public enum OptionSurface
{
    Cli = 1,
    Pipeline = 2,
    All = Cli | Pipeline,
}

/// <summary>
/// The one declaration of a stage option: its key (camelCase, the pipeline-file key), type, default, range or allowed
/// values, help and path kind. The CLI option (<see cref="CliName"/>, kebab-case of the key), the pipeline-file key, the
/// Run form's control and every surface's validation are derived from it, so they cannot disagree.
/// </summary>
public sealed record StageOption(string Name, OptionType Type, string Help)
{
    /// <summary>The value when none is given (as text, as a pipeline file would give it); null: no value.</summary>
    public string? Default { get; init; }

    /// <summary>Inclusive bounds of an Integer or Number option.</summary>
    public double? Min { get; init; }

    public double? Max { get; init; }

    /// <summary>The allowed values of a Choice option (compared case-insensitively).</summary>
    public IReadOnlyList<string> Choices { get; init; } = [];

    public bool Required { get; init; }

    /// <summary>How the value reaches the file system (OptionValue applies the rule).</summary>
    public OptionKind Kind { get; init; } = OptionKind.Text;

    public OptionSurface Surfaces { get; init; } = OptionSurface.All;

    /// <summary>Earlier CLI spellings still accepted (listed in --help).</summary>
    public IReadOnlyList<string> CliAliases { get; init; } = [];

    public bool Multiline => Type == OptionType.Lines;

    public bool OnCli => Surfaces.HasFlag(OptionSurface.Cli);

    public bool InPipelines => Surfaces.HasFlag(OptionSurface.Pipeline);

    /// <summary>The CLI spelling: "--" and the key in kebab-case (learningRate -> --learning-rate).</summary>
    public string CliName => "--" + Kebab(Name);

    public static string Kebab(string key)
    {
        var text = new StringBuilder();
        foreach (var c in key)
        {
            if (char.IsUpper(c) && text.Length > 0) text.Append('-');
            text.Append(char.ToLowerInvariant(c));
        }
        return text.ToString();
    }

    /// <summary>
    /// Null when <paramref name="text"/> is a valid value (empty counts as not given); otherwise why not, phrased to follow
    /// the option's name ("must be an integer from 1 to 1024, got '-1'").
    /// </summary>
    public string? Refusal(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Required && Default is null ? "is required" : null;
        text = text.Trim();
        switch (Type)
        {
            case OptionType.Integer:
                if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole))
                    return $"must be an integer{RangeSuffix()}, got '{Shown(text)}'";
                return InRange(whole) ? null : $"must be an integer{RangeSuffix()}, got '{Shown(text)}'";
            case OptionType.Number:
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
                    return $"must be a number{RangeSuffix()}, got '{Shown(text)}'";
                return InRange(number) ? null : $"must be a number{RangeSuffix()}, got '{Shown(text)}'";
            case OptionType.Boolean:
                return bool.TryParse(text, out _) ? null : $"must be true or false, got '{Shown(text)}'";
            case OptionType.Choice:
                return Choices.Contains(text, StringComparer.OrdinalIgnoreCase) ? null
                    : $"must be one of {string.Join(", ", Choices)}, got '{Shown(text)}'";
            default:
                return null;
        }
    }

    private bool InRange(double value) => (Min is not { } min || value >= min) && (Max is not { } max || value <= max);

    /// <summary>" from 1 to 1024", " of at least 0", ... (empty without bounds).</summary>
    public string RangeSuffix() => (Min, Max) switch
    {
        ({ } min, { } max) => $" from {Format(min)} to {Format(max)}",
        ({ } min, null) => $" of at least {Format(min)}",
        (null, { } max) => $" of at most {Format(max)}",
        _ => "",
    };

    /// <summary>The range, choices and default in one phrase for help texts ("1 to 1024; default 32").</summary>
    public string Constraints()
    {
        var parts = new List<string>();
        if (Min is { } min && Max is { } max) parts.Add($"{Format(min)} to {Format(max)}");
        else if (Min is { } low) parts.Add($"at least {Format(low)}");
        else if (Max is { } high) parts.Add($"at most {Format(high)}");
        if (Choices.Count > 0) parts.Add("one of " + string.Join(", ", Choices));
        if (Default is not null) parts.Add($"default {Default}");
        if (Required) parts.Add("required");
        return string.Join("; ", parts);
    }

    /// <summary>Step of a number input: 1 for integers, "any" for numbers.</summary>
    public string HtmlStep => Type == OptionType.Integer ? "1" : "any";

    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Shown(string value) => new(value.Take(100).Select(c => char.IsControl(c) ? '?' : c).ToArray());

    // Terse constructors for the stages' declaration lists.
    public static StageOption Text(string name, string help, string? @default = null) => new(name, OptionType.Text, help) { Default = @default };

    public static StageOption NameOption(string name, string help, bool required = false) =>
        new(name, OptionType.Text, help) { Kind = OptionKind.Name, Required = required };

    public static StageOption PathOption(string name, OptionKind kind, string help, bool required = false) =>
        new(name, OptionType.Text, help) { Kind = kind, Required = required };

    public static StageOption Lines(string name, string help, bool required = false) => new(name, OptionType.Lines, help) { Required = required };

    public static StageOption Int(string name, string help, long? @default, long min, long max = int.MaxValue) =>
        new(name, OptionType.Integer, help) { Default = @default?.ToString(CultureInfo.InvariantCulture), Min = min, Max = max };

    public static StageOption Number(string name, string help, double? @default, double min, double max) =>
        new(name, OptionType.Number, help) { Default = @default is { } d ? Format(d) : null, Min = min, Max = max };

    public static StageOption Flag(string name, string help) => new(name, OptionType.Boolean, help) { Default = "false" };

    public static StageOption Choice(string name, string help, string? @default, params string[] choices) =>
        new(name, OptionType.Choice, help) { Default = @default, Choices = choices };
}
