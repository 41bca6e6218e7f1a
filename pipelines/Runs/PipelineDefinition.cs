using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SSeg.Pipelines.Runs;

/// <summary>
/// A pipeline file: a name, an optional cron for rebuilds, and the stages in order with their options.
/// Option values may be JSON strings, numbers, booleans or arrays of strings (joined one per line).
/// </summary>
public sealed class PipelineDefinition
{
    public string Name { get; set; } = "";

    /// <summary>Cron expression of the rebuild schedule (5 fields, UTC); none for a one-off pipeline.</summary>
    public string? Cron { get; set; }

    public List<StageDefinition> Stages { get; set; } = [];

    /// <summary>Redo every stage even when its inputs and config are unchanged.</summary>
    public bool Force { get; set; }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static PipelineDefinition Parse(string json, string origin)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException e)
        {
            throw new PipelineDefinitionException($"{origin}: not valid JSON at line {e.LineNumber + 1}: {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new PipelineDefinitionException($"{origin}: expected a JSON object with name and stages");
            var definition = new PipelineDefinition
            {
                Name = root.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString()! : "",
                Cron = root.TryGetProperty("cron", out var cron) && cron.ValueKind == JsonValueKind.String ? cron.GetString() : null,
                Force = root.TryGetProperty("force", out var force) && force.ValueKind == JsonValueKind.True,
            };
            if (!root.TryGetProperty("stages", out var stages) || stages.ValueKind != JsonValueKind.Array)
                throw new PipelineDefinitionException($"{origin}: 'stages' must be an array");
            var index = 0;
            foreach (var stage in stages.EnumerateArray())
            {
                if (stage.ValueKind != JsonValueKind.Object || !stage.TryGetProperty("stage", out var stageName) || stageName.ValueKind != JsonValueKind.String)
                    throw new PipelineDefinitionException($"{origin}: stages[{index}] needs a \"stage\" name");
                var options = new SortedDictionary<string, string>(StringComparer.Ordinal);
                if (stage.TryGetProperty("options", out var opts))
                {
                    if (opts.ValueKind != JsonValueKind.Object)
                        throw new PipelineDefinitionException($"{origin}: stages[{index}].options must be an object");
                    foreach (var option in opts.EnumerateObject())
                        options[option.Name] = OptionText(option.Value, $"{origin}: stages[{index}].options.{option.Name}");
                }
                definition.Stages.Add(new StageDefinition { Stage = stageName.GetString()!, Options = options });
                index++;
            }
            return definition;
        }
    }

    private static string OptionText(JsonElement value, string where) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => "",
        JsonValueKind.Array => string.Join("\n", value.EnumerateArray().Select(v => OptionText(v, where))),
        _ => throw new PipelineDefinitionException($"{where}: expected a string, number, boolean or array"),
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static PipelineDefinition FromStoredJson(string json) =>
        JsonSerializer.Deserialize<PipelineDefinition>(json, Json) ?? throw new PipelineDefinitionException("empty stored definition");

    /// <summary>Hash of one stage's name and options (sorted), the config part of the skip-unchanged check.</summary>
    public static string OptionsHash(StageDefinition stage)
    {
        var text = new StringBuilder(stage.Stage.ToLowerInvariant());
        foreach (var (key, value) in stage.Options.OrderBy(p => p.Key, StringComparer.Ordinal))
            text.Append('\n').Append(key).Append('=').Append(value);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}

public sealed class StageDefinition
{
    public string Stage { get; set; } = "";
    public SortedDictionary<string, string> Options { get; set; } = new(StringComparer.Ordinal);
}

public sealed class PipelineDefinitionException(string message) : Exception(message);
