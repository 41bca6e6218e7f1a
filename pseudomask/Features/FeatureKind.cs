namespace SSeg.Pseudomask;

/// <summary>What k-means clusters (docs/method.md §3.3).</summary>
public enum FeatureKind
{
    /// <summary>Final-norm output tokens of the last block (default), L2-normalised.</summary>
    Tokens,
    /// <summary>Keys of the last block's attention, L2-normalised.</summary>
    Keys,
    /// <summary>Mean normalised RGB of each patch (no network, no weights); not L2-normalised.</summary>
    Rgb,
}

public static class FeatureKinds
{
    public static string Name(FeatureKind kind) => kind.ToString().ToLowerInvariant();

    public static FeatureKind Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "tokens" or "token" => FeatureKind.Tokens,
        "keys" or "key" or "k" => FeatureKind.Keys,
        "rgb" => FeatureKind.Rgb,
        _ => throw new ArgumentException($"Unknown feature '{text}'. Use tokens, keys or rgb."),
    };
}
