namespace SSeg.Pipelines.Hosting;

/// <summary>
/// The data root as a local folder, for the dashboard features that read files directly (plots, SQL over shards);
/// null for an Azure Blob root. Resolves a data-root-relative path and refuses any that would leave the root.
/// </summary>
public static class LocalDataRoot
{
    public static string? Of(HostSettings settings)
    {
        var root = settings.Storage.Root;
        if (root.StartsWith("az://", StringComparison.OrdinalIgnoreCase)) return null;
        var path = root.StartsWith("file://", StringComparison.OrdinalIgnoreCase) ? new Uri(root).LocalPath : root;
        return Path.GetFullPath(path);
    }

    /// <summary>
    /// The full path of <paramref name="relative"/> ('/'-separated, no '..', no rooted part) inside <paramref name="root"/>,
    /// or null when it names anything outside it, including through a symbolic link.
    /// </summary>
    public static string? Resolve(string root, string relative)
    {
        if (relative.Length == 0 || relative.Contains('\\') || relative.Contains('\0') || Path.IsPathRooted(relative)) return null;
        var parts = relative.Split('/');
        if (parts.Any(p => p.Length == 0 || p == "." || p == "..")) return null;
        var full = Path.GetFullPath(Path.Combine([root, .. parts]));
        var prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        if (!full.StartsWith(prefix, StringComparison.Ordinal)) return null;
        // A link inside the root could point anywhere; the dashboard serves real files of the root only.
        var current = root;
        foreach (var part in parts)
        {
            current = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
            if (info.Exists && info.LinkTarget is not null) return null;
        }
        return full;
    }
}
