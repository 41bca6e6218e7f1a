using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace SSeg.Runs;

/// <summary>Where the data stream stands: the epoch and the sample position inside it to continue from.</summary>
public readonly record struct DataPosition(int Epoch, long Position);

/// <summary>
/// <c>trainer.json</c> of a checkpoint: what the loop needs to continue exactly (steps done, data position, seed,
/// training seconds so far) plus the trainer's own fields under <c>Trainer</c>.
/// </summary>
public sealed record CheckpointState
{
    public required long Step { get; init; }
    public int Epoch { get; init; }
    /// <summary>In-epoch sample position to continue from.</summary>
    public long Position { get; init; }
    public int Seed { get; init; }
    /// <summary>Seconds spent training up to this checkpoint, over every process that worked on the run.</summary>
    public double ElapsedSeconds { get; init; }
    public DateTimeOffset SavedUtc { get; init; }
    /// <summary>Trainer-specific fields (for example the count of undecodable samples).</summary>
    public JsonObject? Trainer { get; init; }

    [JsonIgnore] public DataPosition Data => new(Epoch, Position);

    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true });

    /// <summary>Reads a trainer.json, including those written before the shared layer: S-Seg's (the same fields
    /// without ElapsedSeconds) and S-Seg+'s (<c>{"Iteration": n}</c>).</summary>
    public static CheckpointState Parse(string json, string source)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("not a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }
        long? step = Long(root, "Step") ?? Long(root, "Iteration");
        if (step is null) throw new InvalidDataException($"{source}: no Step (steps done) in the checkpoint state");
        return new CheckpointState
        {
            Step = step.Value,
            Epoch = (int)(Long(root, "Epoch") ?? 0),
            Position = Long(root, "Position") ?? 0,
            Seed = (int)(Long(root, "Seed") ?? 0),
            ElapsedSeconds = root["ElapsedSeconds"]?.GetValue<double>() ?? 0,
            SavedUtc = root["SavedUtc"] is { } saved ? DateTimeOffset.Parse(saved.GetValue<string>(), CultureInfo.InvariantCulture) : default,
            Trainer = root["Trainer"]?.DeepClone() as JsonObject,
        };
    }

    private static long? Long(JsonObject root, string name)
    {
        if (root[name] is not JsonValue v) return null;
        return v.TryGetValue<long>(out var l) ? l : v.TryGetValue<double>(out var d) ? (long)d : null;
    }
}
