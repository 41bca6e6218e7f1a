using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SSeg.Runs;

/// <summary>
/// <c>run.json</c>: what a run is — trainer kind, model config, seed, the options of the latest start and the
/// trainer's own facts (dataset size, schedule, skipped shards, ...). On resume the kind, model config and seed
/// must match what the run was started with, because a checkpoint only continues the run that wrote it.
/// Runs started before run.json existed are checked against the <c>model</c> of their <c>config.json</c>.
/// </summary>
public static class RunMetadata
{
    private const string LegacyConfigFile = "config.json";
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <param name="model">The model config as JSON (what must not change within a run).</param>
    /// <param name="options">The options of this start (connection strings left out by the caller).</param>
    /// <param name="details">Trainer facts worth keeping next to the run.</param>
    /// <param name="checkExisting">False when the caller starts the run over (no resume): the old record is replaced.</param>
    public static async Task RecordAsync(RunFolder run, string kind, string model, int seed, object options, object? details,
        bool checkExisting, CancellationToken ct)
    {
        var modelNode = JsonNode.Parse(model) ?? throw new ArgumentException("model config JSON is null", nameof(model));
        var existing = await run.ReadTextAsync(RunFolder.MetadataFile, ct);
        string? created = null;
        if (existing is not null)
        {
            var source = run.Key(RunFolder.MetadataFile);
            var old = Parse(existing, source);
            created = old["created_utc"]?.GetValue<string>();
            if (checkExisting)
            {
                Require(source, "trainer kind", old["kind"], JsonValue.Create(kind));
                Require(source, "model config", old["model"], modelNode);
                Require(source, "seed", old["seed"], JsonValue.Create(seed));
            }
        }
        else if (checkExisting && await run.ReadTextAsync(LegacyConfigFile, ct) is { } legacy)
        {
            var source = run.Key(LegacyConfigFile);
            Require(source, "model config", Parse(legacy, source)["model"], modelNode);
        }

        var record = new JsonObject
        {
            ["kind"] = kind,
            ["run"] = run.Name,
            ["created_utc"] = created ?? DateTimeOffset.UtcNow.ToString("O"),
            ["started_utc"] = DateTimeOffset.UtcNow.ToString("O"),
            ["seed"] = seed,
            ["model"] = modelNode,
            ["options"] = JsonSerializer.SerializeToNode(options, options.GetType()),
            ["details"] = details is null ? null : JsonSerializer.SerializeToNode(details, details.GetType()),
        };
        await run.WriteTextAsync(RunFolder.MetadataFile, record.ToJsonString(Indented), ct);
    }

    private static JsonObject Parse(string text, string source)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw new JsonException("not a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }
    }

    private static void Require(string source, string what, JsonNode? stored, JsonNode current)
    {
        if (stored is null || !JsonNode.DeepEquals(stored, current))
            throw new InvalidOperationException(
                $"{source}: the run was started with another {what} ({stored?.ToJsonString() ?? "none recorded"}; now {current.ToJsonString()}). " +
                "A checkpoint only continues the run that wrote it: use a new run name, or the options the run was started with.");
    }
}
