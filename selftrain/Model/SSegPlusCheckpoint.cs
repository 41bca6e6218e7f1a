using System.Buffers.Binary;
using System.Text.Json;
using SSeg.Models;

namespace SSeg.Selftrain.Model;

/// <summary>
/// An S-Seg+ weights file: safetensors with the model config in its metadata (<see cref="KindKey"/> =
/// <see cref="Kind"/>, <see cref="ConfigKey"/> = config JSON), so a checkpoint is self-describing.
/// </summary>
public static class SSegPlusCheckpoint
{
    public const string Kind = "sseg-plus";
    public const string KindKey = "sseg.kind";
    public const string ConfigKey = "sseg_plus.config";

    public static void Save(SSegPlusModel model, string path, IReadOnlyDictionary<string, string>? extraMetadata = null)
    {
        var metadata = new Dictionary<string, string>(extraMetadata ?? new Dictionary<string, string>())
        {
            [KindKey] = Kind,
            [ConfigKey] = model.Config.ToJson(),
        };
        CheckpointLoader.SaveSafetensors(model, path, metadata);
    }

    /// <summary>Builds the model from the file's config and loads every tensor strictly.</summary>
    public static SSegPlusModel Load(string path)
    {
        var config = ReadConfig(path) ?? throw new InvalidDataException($"{path}: not an S-Seg+ checkpoint (no {KindKey}={Kind} metadata).");
        var model = new SSegPlusModel(config);
        try
        {
            CheckpointLoader.Load(model, path, strict: true, options: new CheckpointReadOptions(StripPrefixes: []));
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    /// <summary>The config from the header alone (no weights read), or null when the file is not S-Seg+.</summary>
    public static SSegPlusConfig? ReadConfig(string path)
    {
        var metadata = ReadMetadata(path);
        if (metadata is null || !metadata.TryGetValue(KindKey, out var kind) || kind != Kind) return null;
        if (!metadata.TryGetValue(ConfigKey, out var json)) throw new InvalidDataException($"{path}: S-Seg+ checkpoint without {ConfigKey}.");
        return SSegPlusConfig.FromJson(json, path);
    }

    /// <summary>The <c>__metadata__</c> of a safetensors header; null when the file is not safetensors.</summary>
    public static IReadOnlyDictionary<string, string>? ReadMetadata(string path)
    {
        if (!File.Exists(path)) return null;
        using var stream = File.OpenRead(path);
        if (stream.Length < 8) return null;
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        var length = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (length == 0 || length > (ulong)Math.Min(stream.Length - 8, 100_000_000)) return null;
        var header = new byte[(int)length];
        stream.ReadExactly(header);
        try
        {
            using var doc = JsonDocument.Parse(header);
            if (!doc.RootElement.TryGetProperty("__metadata__", out var meta) || meta.ValueKind != JsonValueKind.Object)
                return new Dictionary<string, string>();
            return meta.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
