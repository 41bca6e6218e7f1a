using System.CommandLine;
using SSeg.Pipelines.Jobs;

namespace SSeg.Pipelines.Cli;

/// <summary>
/// A stage verb's options, derived from the stage's option declarations (pipelines/Jobs/Options): the CLI name is the
/// key in kebab-case, the help carries the range, default and pipeline key, and a value is checked against the same
/// declaration as in pipeline files and the Run form before the adapter's builder turns it into the stage's options.
/// </summary>
public sealed class DeclaredCliOptions
{
    private readonly List<(StageOption Declaration, Option Option)> _options = [];

    public DeclaredCliOptions(IEnumerable<StageOption> declarations)
    {
        foreach (var declaration in declarations.Where(d => d.OnCli))
        {
            var aliases = declaration.CliAliases.ToArray();
            Option option = declaration.Type switch
            {
                OptionType.Boolean => new Option<bool>(declaration.CliName, aliases),
                OptionType.Lines => new Option<string[]>(declaration.CliName, aliases) { AllowMultipleArgumentsPerToken = true },
                _ => new Option<string?>(declaration.CliName, aliases),
            };
            option.Description = Describe(declaration);
            _options.Add((declaration, option));
        }
    }

    /// <summary>Help text: the declaration's help, its range/choices/default, the pipeline-file key and any old spellings.</summary>
    public static string Describe(StageOption declaration)
    {
        var constraints = declaration.Constraints();
        var parts = new List<string>();
        if (constraints.Length > 0) parts.Add(constraints);
        parts.Add($"pipeline key {declaration.Name}");
        if (declaration.Type == OptionType.Lines) parts.Add("repeatable");
        return $"{declaration.Help} ({string.Join("; ", parts)})";
    }

    public IEnumerable<StageOption> Declarations => _options.Select(o => o.Declaration);

    public void AddTo(Command command)
    {
        foreach (var (_, option) in _options) command.Options.Add(option);
    }

    /// <summary>
    /// The values given, keyed by pipeline key, each checked against its declaration; <paramref name="fallback"/> supplies
    /// values not given on the command line (a config file). Throws FormatException naming the option and its range.
    /// </summary>
    public Dictionary<string, string> Values(ParseResult parse, Func<StageOption, string?>? fallback = null)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (declaration, option) in _options)
        {
            var text = parse.GetResult(option) is { Implicit: false } ? Text(parse, option) : fallback?.Invoke(declaration);
            if (string.IsNullOrWhiteSpace(text))
            {
                // Checked here rather than by System.CommandLine, so a verb with subcommands (eval) does not demand it of them.
                if (declaration.Required && declaration.Default is null) throw new FormatException($"{declaration.CliName} is required");
                continue;
            }
            if (declaration.Refusal(text) is { } why) throw new FormatException($"{declaration.CliName} {why}");
            if (declaration.Kind == OptionKind.Name && !OptionValue.IsName(text.Trim()))
                throw new FormatException($"{declaration.CliName} must be a name (letters, digits, '.', '_' or '-'; no '/', '..' or control characters), not '{text}'");
            values[declaration.Name] = text;
        }
        return values;
    }

    /// <summary>The values as a stage context (CLI origin: explicit paths are accepted) over <paramref name="root"/>.</summary>
    public StageContext Context(ParseResult parse, string root, string? azureConnectionString, Func<StageOption, string?>? fallback = null) =>
        new("cli", "cli", 0, Values(parse, fallback), root, azureConnectionString) { Origin = OptionOrigin.Trusted };

    /// <summary>Runs an adapter's builder, reporting a refused value as a FormatException (the verbs print those as errors).</summary>
    public static T Build<T>(StageContext context, Func<StageContext, T> build)
    {
        try { return build(context); }
        catch (StageOptionException e) { throw new FormatException(e.Message, e); }
    }

    private static string? Text(ParseResult parse, Option option) => option switch
    {
        Option<bool> flag => parse.GetValue(flag) ? "true" : "false",
        Option<string[]> lines => string.Join("\n", parse.GetValue(lines) ?? []),
        Option<string?> text => parse.GetValue(text),
        _ => null,
    };
}
