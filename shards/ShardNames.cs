namespace SSeg.Shards;

/// <summary>
/// Names inside a dataset folder <c>datasets/&lt;name&gt;/</c>. A shard's kind is <see cref="ImagesKind"/>
/// (<c>images</c>) or <c>masks/&lt;generator-id&gt;</c> (<see cref="MasksKind"/>); its files are
/// <c>&lt;kind&gt;/part-00042.parquet</c>, plus <c>.stats.json</c> and <c>.failures.parquet</c> beside image shards.
/// </summary>
public static class ShardNames
{
    /// <summary>Folder of all datasets under a storage root.</summary>
    public const string DatasetsFolder = "datasets";
    /// <summary>The manifest file name in a dataset folder.</summary>
    public const string ManifestFile = "dataset.json";
    /// <summary>The kind of image shards.</summary>
    public const string ImagesKind = "images";

    /// <summary>The kind of mask shards made by one generator.</summary>
    public static string MasksKind(string generatorId) => MasksKindPrefix + ValidateGeneratorId(generatorId);

    /// <summary>The generator id of a <see cref="MasksKind"/>, or null for another kind.</summary>
    public static string? GeneratorOfMasksKind(string kind) =>
        kind.StartsWith(MasksKindPrefix, StringComparison.Ordinal) ? kind[MasksKindPrefix.Length..] : null;

    private const string MasksKindPrefix = "masks/";

    /// <summary><c>part-00042</c>.</summary>
    public static string PartName(int shardIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shardIndex);
        return $"part-{shardIndex:D5}";
    }

    /// <summary><c>&lt;kind&gt;/part-00042.parquet</c>, relative to the dataset folder.</summary>
    public static string DataPath(string kind, int shardIndex) => $"{kind}/{PartName(shardIndex)}.parquet";

    /// <summary><c>&lt;kind&gt;/part-00042.stats.json</c>, relative to the dataset folder.</summary>
    public static string StatsPath(string kind, int shardIndex) => $"{kind}/{PartName(shardIndex)}.stats.json";

    /// <summary><c>&lt;kind&gt;/part-00042.failures.parquet</c>, relative to the dataset folder.</summary>
    public static string FailuresPath(string kind, int shardIndex) => $"{kind}/{PartName(shardIndex)}.failures.parquet";

    /// <summary>Dataset names and generator ids: letters, digits, '.', '_', '-' (no slashes), 1-100 chars.</summary>
    public static string ValidateName(string name, string what = "dataset name")
    {
        if (string.IsNullOrEmpty(name) || name.Length > 100 || name is "." or ".." ||
            !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            throw new ArgumentException($"Invalid {what} '{name}': use letters, digits, '.', '_' or '-'.");
        return name;
    }

    /// <summary>Validates a mask generator id (same rules as dataset names).</summary>
    public static string ValidateGeneratorId(string generatorId) => ValidateName(generatorId, "generator id");
}
