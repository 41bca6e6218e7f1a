using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace SSeg.Ingest.Manifests;

/// <summary>
/// RedCaps annotations: a folder (holding annotations/ or the json files themselves) or a zip of
/// annotations/&lt;subreddit&gt;_&lt;year&gt;.json. Files are read in ordinal name order, each streamed.
/// The training caption is `caption`; every other field goes to the extra JSON. Broken JSON ends that file
/// with one malformed row; the next file goes on.
/// </summary>
internal static class RedCapsManifestReader
{
    public static IEnumerable<RawEntry> Read(string path, ManifestReadOptions options)
    {
        if (File.Exists(path) && IsZip(path))
        {
            using var zip = ZipFile.OpenRead(path);
            var entries = zip.Entries.Where(e => IsJsonName(e.FullName)).ToList();
            var underAnnotations = entries.Where(e => e.FullName.Contains("annotations/", StringComparison.Ordinal)).ToList();
            if (underAnnotations.Count > 0) entries = underAnnotations;
            foreach (var entry in entries.OrderBy(e => e.FullName, StringComparer.Ordinal))
            {
                foreach (var row in ReadFile(() => ManifestStreams.MaybeGunzipNonSeekable(entry.Open()), entry.FullName, options))
                    yield return row;
            }
            yield break;
        }
        if (Directory.Exists(path))
        {
            var dir = Directory.Exists(System.IO.Path.Combine(path, "annotations")) ? System.IO.Path.Combine(path, "annotations") : path;
            var files = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
                .Where(IsJsonName)
                .Select(f => (Full: f, Rel: System.IO.Path.GetRelativePath(dir, f)))
                .OrderBy(f => f.Rel, StringComparer.Ordinal);
            foreach (var (full, rel) in files)
                foreach (var row in ReadFile(() => ManifestStreams.OpenFile(full), rel, options))
                    yield return row;
            yield break;
        }
        if (File.Exists(path) && IsJsonName(path))
        {
            foreach (var row in ReadFile(() => ManifestStreams.OpenFile(path), System.IO.Path.GetFileName(path), options))
                yield return row;
            yield break;
        }
        throw new FileNotFoundException($"RedCaps source '{path}' is neither a folder, a zip nor a .json file.", path);
    }

    private static bool IsJsonName(string name) =>
        name.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".json.gz", StringComparison.OrdinalIgnoreCase);

    private static bool IsZip(string path)
    {
        using var f = File.OpenRead(path);
        Span<byte> head = stackalloc byte[4];
        return f.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4 && head[0] == 'P' && head[1] == 'K';
    }

    private static IEnumerable<RawEntry> ReadFile(Func<Stream> open, string name, ManifestReadOptions options)
    {
        using var stream = open();
        var scanner = new JsonArrayScanner(stream, "annotations", options.MaxJsonObjectBytes);
        var ordinal = 0;
        while (true)
        {
            JsonElement? element;
            string? broken = null;
            try
            {
                element = scanner.Next();
            }
            catch (JsonException e)
            {
                element = null;
                broken = $"broken JSON: {e.Message}";
            }
            if (broken is not null)
            {
                yield return new RawEntry($"{name}#{ordinal}", null, null, null, broken);
                yield break;
            }
            if (element is null)
            {
                if (!scanner.SawArray)
                    yield return new RawEntry($"{name}#{ordinal}", null, null, null, "no \"annotations\" array in file");
                yield break;
            }
            yield return ToEntry(element.Value, $"{name}#{ordinal}", options);
            ordinal++;
        }
    }

    private static RawEntry ToEntry(JsonElement annotation, string location, ManifestReadOptions options)
    {
        if (annotation.ValueKind != JsonValueKind.Object) return new RawEntry(location, null, null, null, "annotation is not a JSON object");
        string? url = null, caption = null;
        if (annotation.TryGetProperty("url", out var u) && u.ValueKind == JsonValueKind.String) url = u.GetString();
        if (annotation.TryGetProperty("caption", out var c) && c.ValueKind == JsonValueKind.String) caption = c.GetString();
        if (url is null) return new RawEntry(location, null, caption, null, "missing column: url");
        if (caption is null) return new RawEntry(location, url, null, null, "missing column: caption");
        var problem = UrlRules.Problem(url, options.MaxUrlLength);
        if (problem is not null) return new RawEntry(location, url, caption, null, problem);
        return new RawEntry(location, url, caption, ExtraJson(annotation), null);
    }

    private static string ExtraJson(JsonElement annotation)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            foreach (var p in annotation.EnumerateObject())
            {
                if (p.NameEquals("url") || p.NameEquals("caption")) continue;
                p.WriteTo(w);
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.GetBuffer(), 0, (int)ms.Length);
    }
}
