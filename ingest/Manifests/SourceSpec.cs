namespace SSeg.Ingest.Manifests;

/// <summary>The manifest formats the ingest stage reads (see docs/manifest-formats.md).</summary>
public enum SourceKind
{
    /// <summary>CC3M TSV: caption TAB url, no header.</summary>
    Cc3m,
    /// <summary>CC12M TSV: url TAB caption, no header.</summary>
    Cc12m,
    /// <summary>RedCaps: a folder or zip of annotations/&lt;subreddit&gt;_&lt;year&gt;.json.</summary>
    RedCaps,
}

/// <summary>One input manifest: its source name (used in keys and the `source` column), format and path.</summary>
public sealed record SourceSpec(string Name, SourceKind Kind, string Path)
{
    /// <summary>Parses `cc3m=PATH`, `cc12m=PATH` or `redcaps=PATH` (the name picks the format).</summary>
    public static SourceSpec Parse(string text)
    {
        var eq = text.IndexOf('=');
        if (eq <= 0 || eq == text.Length - 1)
            throw new FormatException($"Source '{text}' must look like cc3m=PATH, cc12m=PATH or redcaps=PATH.");
        var name = text[..eq].Trim().ToLowerInvariant();
        var path = text[(eq + 1)..].Trim();
        var kind = name switch
        {
            "cc3m" => SourceKind.Cc3m,
            "cc12m" => SourceKind.Cc12m,
            "redcaps" => SourceKind.RedCaps,
            _ => throw new FormatException($"Unknown source '{name}' in '{text}': expected cc3m, cc12m or redcaps."),
        };
        return new SourceSpec(name, kind, path);
    }

    public override string ToString() => $"{Name}={Path}";
}
