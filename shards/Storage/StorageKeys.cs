namespace SSeg.Shards.Storage;

/// <summary>Validation and joining of '/'-separated storage keys.</summary>
public static class StorageKeys
{
    /// <summary>Joins key segments with '/', trimming stray slashes.</summary>
    public static string Combine(params string[] parts) =>
        string.Join('/', parts.Select(p => p.Trim('/')).Where(p => p.Length > 0));

    /// <summary>Throws <see cref="ArgumentException"/> for keys that could escape the root or are not portable.</summary>
    public static string Validate(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key.StartsWith('/') || key.Contains('\\') || key.Contains("//"))
            throw new ArgumentException($"Storage key '{key}' must be a relative '/'-separated path.", nameof(key));
        foreach (var segment in key.Split('/'))
            if (segment is "." or ".." || segment.Length == 0)
                throw new ArgumentException($"Storage key '{key}' has an invalid segment '{segment}'.", nameof(key));
        return key;
    }
}
