namespace SSeg.Train.Scoring;

/// <summary>
/// Background ("stuff") concepts scored beside a dataset's foreground classes at inference. The per-pixel class
/// distribution is a softmax over foreground and background concepts together, so a region that looks like sky or
/// a wall gives its probability mass to those concepts and its best foreground probability falls below τ. With
/// foreground names alone the softmax has to spread each region's mass over the foreground classes, and background
/// regions end up as confident as objects (see train/README.md, "Background"). Words equal to one of the dataset's
/// class names are dropped, so a class is never also background. Scorer setting <c>background=</c>: <c>default</c>,
/// <c>none</c>, or a comma-separated word list.
/// </summary>
public static class BackgroundPrompts
{
    public const string SettingKey = "background";

    /// <summary>Common background and stuff nouns of web captions (COCO-Stuff and Pascal Context names that are
    /// rarely the object of a caption), plus the word "background" itself.</summary>
    public static readonly IReadOnlyList<string> Default =
    [
        "background", "sky", "cloud", "wall", "brick", "floor", "ceiling", "ground", "grass", "field", "sand", "beach",
        "snow", "water", "sea", "river", "road", "street", "pavement", "building", "tree", "mountain", "hill", "rock",
        "table", "wood", "fence", "carpet", "curtain", "window", "door",
    ];

    public static IReadOnlyList<string> Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "default" => Default,
        "none" => [],
        _ => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.OrdinalIgnoreCase).ToArray(),
    };

    /// <summary>The words of <paramref name="prompts"/> that are not (case-insensitively) one of <paramref name="classNames"/>.</summary>
    public static IReadOnlyList<string> Without(IReadOnlyList<string> prompts, IReadOnlyList<string> classNames)
    {
        var classes = new HashSet<string>(classNames.Select(n => n.Trim()), StringComparer.OrdinalIgnoreCase);
        return prompts.Where(p => !classes.Contains(p)).ToArray();
    }
}
