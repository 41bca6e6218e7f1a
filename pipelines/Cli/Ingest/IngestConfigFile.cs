using System.CommandLine;
using System.Text.Json;
using SSeg.Pipelines.Jobs;

namespace SSeg.Pipelines.Cli.Ingest;

/// <summary>
/// `--config FILE`: a JSON object whose keys are the stage's pipeline keys or the CLI names without dashes (for example
/// {"sources": ["cc3m=train.tsv"], "dataset": "cc3m", "shardSize": 5000}). Options given on the command line win.
/// </summary>
internal sealed class IngestConfigFile
{
    private readonly Dictionary<string, JsonElement> _values = new(StringComparer.OrdinalIgnoreCase);

    public static IngestConfigFile Load(string? path)
    {
        var config = new IngestConfigFile();
        if (path is null) return config;
        using var doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new FormatException($"{path}: the config file must hold a JSON object");
        foreach (var p in doc.RootElement.EnumerateObject()) config._values[p.Name.TrimStart('-')] = p.Value.Clone();
        return config;
    }

    public T Get<T>(ParseResult parse, Option<T> option)
    {
        var given = parse.GetResult(option) is { Implicit: false };
        if (given || !_values.TryGetValue(option.Name.TrimStart('-'), out var value)) return parse.GetValue(option)!;
        try
        {
            if (typeof(T) == typeof(string[]) && value.ValueKind == JsonValueKind.String)
                return (T)(object)new[] { value.GetString()! };
            if (value.ValueKind == JsonValueKind.String && typeof(T) != typeof(string))
            {
                var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
                return (T)(target.IsEnum ? Enum.Parse(target, value.GetString()!.Replace("_", "").Replace("-", ""), ignoreCase: true) : Convert.ChangeType(value.GetString()!, target, System.Globalization.CultureInfo.InvariantCulture));
            }
            return value.Deserialize<T>()!;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidCastException or ArgumentException)
        {
            throw new FormatException($"config file: '{option.Name.TrimStart('-')}' has a value of the wrong type ({value}): {e.Message}");
        }
    }

    /// <summary>A declared option's value as text (arrays one item per line), by pipeline key or CLI name; null when absent.</summary>
    public string? Text(StageOption declaration)
    {
        var names = new[] { declaration.Name, StageOption.Kebab(declaration.Name) }.Concat(declaration.CliAliases.Select(a => a.TrimStart('-')));
        foreach (var name in names)
        {
            if (!_values.TryGetValue(name, out var value)) continue;
            return value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Array => string.Join("\n", value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText())),
                _ => throw new FormatException($"config file: '{name}' has a value of the wrong type ({value})"),
            };
        }
        return null;
    }
}
