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

    /// <summary>The config from the header alone (no weights read), or null when the file is safetensors of another kind.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">Not a safetensors file, or an S-Seg+ one without its config.</exception>
    public static SSegPlusConfig? ReadConfig(string path)
    {
        var metadata = SafetensorsFile.ReadMetadata(path);
        if (metadata.Get(KindKey) != Kind) return null;
        return SSegPlusConfig.FromJson(metadata.Require(ConfigKey, "a complete S-Seg+ checkpoint"), path);
    }
}
