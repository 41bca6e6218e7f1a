using System.Text.Json;
using System.Text.Json.Serialization;

namespace SSeg.Shards;

/// <summary>The JSON settings of dataset.json and stats files (camelCase, indented).</summary>
public static class ShardJson
{
    /// <summary>Shared serializer options.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly JsonSerializerOptions CompactOptions = new(Options) { WriteIndented = false };

    /// <summary>UTF-8 JSON without indentation, for large machine-read objects (checkpoints).</summary>
    public static byte[] SerializeCompact<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, CompactOptions);

    /// <summary>UTF-8 JSON of <paramref name="value"/>.</summary>
    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    /// <summary>Parses UTF-8 JSON; <paramref name="what"/> names the object in the error message.</summary>
    public static T Deserialize<T>(ReadOnlySpan<byte> json, string what)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options) ?? throw new InvalidDataException($"{what} is empty (JSON null).");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{what} is not valid JSON: {e.Message}", e);
        }
    }
}
