using System.Text;
using System.Text.Unicode;

namespace SSeg.Ingest.Manifests;

/// <summary>
/// CC3M (caption TAB url) and CC12M (url TAB caption) TSV manifests: no header, no quoting, UTF-8, plain or gzip.
/// Every line is one row (blank and broken lines included, as malformed rows), so row numbers stay stable.
/// </summary>
internal static class TsvManifestReader
{
    public static IEnumerable<RawEntry> Read(string path, SourceKind kind, ManifestReadOptions options)
    {
        using var stream = ManifestStreams.OpenFile(path);
        var reader = new ByteLineReader(stream, options.MaxLineBytes);
        var fileName = System.IO.Path.GetFileName(path);
        while (reader.TryReadLine(out var line, out var tooLong))
        {
            var location = $"{fileName}:{reader.LineNumber}";
            if (tooLong)
            {
                yield return Bad(location, $"line longer than {options.MaxLineBytes} bytes");
                continue;
            }
            yield return Parse(line.Span, kind, location, options);
        }
    }

    private static RawEntry Parse(ReadOnlySpan<byte> line, SourceKind kind, string location, ManifestReadOptions options)
    {
        if (line.IsEmpty) return Bad(location, "empty line");
        if (!Utf8.IsValid(line)) return Bad(location, "invalid UTF-8");
        var tab = line.IndexOf((byte)'\t');
        if (tab < 0) return Bad(location, "missing column (no TAB)");
        string url, caption;
        if (kind == SourceKind.Cc3m)
        {
            // caption TAB url; CC3M lines hold exactly one TAB.
            if (line[(tab + 1)..].IndexOf((byte)'\t') >= 0) return Bad(location, "more than 2 TAB-separated columns");
            caption = Encoding.UTF8.GetString(line[..tab]);
            url = Encoding.UTF8.GetString(line[(tab + 1)..]);
        }
        else
        {
            // url TAB caption, split on the first TAB only (as the HF loader does).
            url = Encoding.UTF8.GetString(line[..tab]);
            caption = Encoding.UTF8.GetString(line[(tab + 1)..]);
        }
        url = url.Trim();
        var problem = UrlRules.Problem(url, options.MaxUrlLength);
        if (problem is not null) return new RawEntry(location, url, caption, null, problem);
        if (string.IsNullOrWhiteSpace(caption)) return new RawEntry(location, url, caption, null, "empty caption");
        return new RawEntry(location, url, caption, null, null);
    }

    private static RawEntry Bad(string location, string reason) => new(location, null, null, null, reason);
}
