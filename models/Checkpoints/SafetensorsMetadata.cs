namespace SSeg.Models;

/// <summary>
/// The <c>__metadata__</c> of a safetensors file, with the file's path so a missing entry is reported against it.
/// </summary>
public sealed class SafetensorsMetadata
{
    public SafetensorsMetadata(string path, IReadOnlyDictionary<string, string> entries)
    {
        Path = path;
        Entries = entries;
    }

    public string Path { get; }
    public IReadOnlyDictionary<string, string> Entries { get; }

    /// <summary>The value of <paramref name="key"/>, or null when the file has none.</summary>
    public string? Get(string key) => Entries.GetValueOrDefault(key);

    /// <summary>The value of <paramref name="key"/>; <paramref name="expected"/> (e.g. "an S-Seg checkpoint") says in the error what the file should have been.</summary>
    /// <exception cref="InvalidDataException">The key is absent.</exception>
    public string Require(string key, string expected) =>
        Entries.TryGetValue(key, out var value)
            ? value
            : throw new InvalidDataException($"{Path}: safetensors metadata has no '{key}'; not {expected}.");
}
