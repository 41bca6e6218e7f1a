using System.Buffers.Binary;
using System.Text.Json;

namespace SSeg.Models;

/// <summary>
/// The JSON header at the start of a safetensors file (8-byte little-endian length, then that many bytes of JSON).
/// Every reader goes through here, so a bad file fails the same way wherever it is opened: an
/// <see cref="InvalidDataException"/> whose message starts with the path and says what is wrong.
/// </summary>
internal sealed class SafetensorsHeader : IDisposable
{
    // A real header is a few hundred KB at most; a larger length means the first 8 bytes are not a header length.
    private const long MaxHeaderBytes = 100_000_000;
    public const string MetadataKey = "__metadata__";

    private readonly JsonDocument _json;

    private SafetensorsHeader(JsonDocument json, long dataStart)
    {
        _json = json;
        DataStart = dataStart;
    }

    /// <summary>The JSON object: tensor entries and the optional <see cref="MetadataKey"/> entry.</summary>
    public JsonElement Root => _json.RootElement;

    /// <summary>File offset of the first tensor byte (data_offsets count from here).</summary>
    public long DataStart { get; }

    /// <summary>Reads the header from the start of <paramref name="stream"/>; <paramref name="path"/> names the file in errors.</summary>
    public static SafetensorsHeader Read(Stream stream, string path)
    {
        if (stream.Length < 8)
            throw new InvalidDataException($"{path}: truncated safetensors file ({stream.Length} bytes; the header length alone takes 8).");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        var length = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (length == 0 || length > MaxHeaderBytes)
            throw new InvalidDataException($"{path}: not a safetensors file (header length {length}).");
        if ((long)length > stream.Length - 8)
            throw new InvalidDataException($"{path}: truncated safetensors header ({length} bytes declared, {stream.Length - 8} in the file).");
        var header = new byte[(int)length];
        stream.ReadExactly(header);
        JsonDocument json;
        try { json = JsonDocument.Parse(header); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: safetensors header is not valid JSON: {e.Message}", e); }
        var kind = json.RootElement.ValueKind;
        if (kind != JsonValueKind.Object)
        {
            json.Dispose();
            throw new InvalidDataException($"{path}: safetensors header is a JSON {kind}, not an object.");
        }
        return new SafetensorsHeader(json, 8 + (long)length);
    }

    /// <summary>The string-to-string <see cref="MetadataKey"/> map (empty when absent), as the format defines it.</summary>
    public Dictionary<string, string> Metadata(string path)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!Root.TryGetProperty(MetadataKey, out var entries)) return metadata;
        if (entries.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{path}: safetensors {MetadataKey} is a JSON {entries.ValueKind}, not an object.");
        foreach (var entry in entries.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
                throw new InvalidDataException($"{path}: safetensors metadata '{entry.Name}' is a JSON {entry.Value.ValueKind}, not a string.");
            metadata[entry.Name] = entry.Value.GetString()!;
        }
        return metadata;
    }

    public void Dispose() => _json.Dispose();
}
