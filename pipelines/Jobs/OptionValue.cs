using SSeg.Shards;

namespace SSeg.Pipelines.Jobs;

/// <summary>
/// The one rule for option values that reach the file system; every adapter resolves such values here, and the engine
/// checks every option declared with an OptionKind here before a run is enqueued.
/// A *name* is one path segment (letters, digits, '.', '_', '-'; so no separator, no "..", no control character, not
/// empty) and is resolved inside the data root. Anything else is an explicit *path*, accepted only from the CLI and
/// pipeline files: the dashboard is reachable over HTTP, and a path from its forms would let a visitor write reports
/// anywhere, or hash and list (through error messages) any folder of the host. The one exception is a checkpoint under
/// one of the host's Dashboard:AllowedModelFolders, checked after full normalisation so "a/../../etc" cannot escape.
/// Refusals never name a resolved path, so they cannot reveal files outside the data root.
/// </summary>
public static class OptionValue
{
    public static bool IsName(string value)
    {
        try { ShardNames.ValidateName(value, "name"); return true; }
        catch (ArgumentException) { return false; }
    }

    /// <summary>A required name option, validated.</summary>
    public static string Name(StageContext context, string option) => CheckName(option, context.Require(option));

    /// <summary>An optional name option, validated; null when empty.</summary>
    public static string? OptionalName(StageContext context, string option) =>
        context.Get(option) is { } value ? CheckName(option, value) : null;

    public static string CheckName(string option, string value) =>
        IsName(value) ? value : throw new StageOptionException(
            $"option '{option}' must be a name (letters, digits, '.', '_' or '-'; no '/', '..' or control characters), not '{Printable(value)}'");

    /// <summary>A required path-or-name option resolved to a full path.</summary>
    public static string Resolve(StageContext context, string option, OptionKind kind) => Resolve(context, option, context.Require(option), kind);

    /// <summary>An optional path-or-name option resolved to a full path; null when empty.</summary>
    public static string? ResolveOptional(StageContext context, string option, OptionKind kind) =>
        context.Get(option) is { } value ? Resolve(context, option, value, kind) : null;

    /// <summary>
    /// A name resolves under the data root's folder for <paramref name="kind"/>; a path is returned fully normalised when
    /// its origin may give paths. Throws StageOptionException with the reason otherwise.
    /// </summary>
    public static string Resolve(StageContext context, string option, string value, OptionKind kind)
    {
        if (kind == OptionKind.Name) return CheckName(option, value);
        if (kind == OptionKind.Text) return value;
        if (IsName(value))
        {
            if (context.StorageRoot.Contains("://", StringComparison.Ordinal))
                throw new StageOptionException($"option '{option}': a name means {Folder(kind)}/<name> under a local data root; this host's data root is not local");
            return Path.Combine(Path.GetFullPath(context.StorageRoot), Folder(kind), value);
        }
        if (context.Origin == OptionOrigin.Trusted) return Path.GetFullPath(value);
        if (kind is OptionKind.RunOrPath or OptionKind.ModelOrPath && UnderAllowedFolder(value, context.AllowedModelFolders) is { } allowed)
            return allowed;
        var allowedHint = kind is OptionKind.RunOrPath or OptionKind.ModelOrPath && context.AllowedModelFolders.Count > 0
            ? " or an absolute path under an allowed model folder" : "";
        throw new StageOptionException(
            $"option '{option}': the dashboard accepts a name ({Folder(kind)}/<name> under the data root){allowedHint}, not a path " +
            "(paths are accepted from the CLI and pipeline files only)");
    }

    /// <summary>The normalised path when it lies inside one of <paramref name="folders"/>; null otherwise.</summary>
    private static string? UnderAllowedFolder(string value, IReadOnlyList<string> folders)
    {
        if (!Path.IsPathFullyQualified(value) || value.Any(char.IsControl)) return null; // relative paths would depend on the host's cwd
        var full = Path.GetFullPath(value);
        foreach (var folder in folders.Where(f => !string.IsNullOrWhiteSpace(f) && Path.IsPathFullyQualified(f)))
        {
            var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
            if (full == root || full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal)) return full;
        }
        return null;
    }

    private static string Folder(OptionKind kind) => kind switch
    {
        OptionKind.RunOrPath => "runs",
        OptionKind.ModelOrPath => "models",
        OptionKind.FolderOrPath => "benchmarks",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The value as typed, with control characters shown as '?' (it is echoed into forms and logs).</summary>
    private static string Printable(string value) =>
        new(value.Take(200).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
