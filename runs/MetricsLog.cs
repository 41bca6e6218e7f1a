using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SSeg.Runs;

/// <summary>
/// The one reader and writer of <c>metrics.jsonl</c> (one JSON object a line, see <see cref="MetricsLine"/>).
/// The file is rewritten whole on every write (storage objects are not appendable). Non-finite numbers are
/// written as the strings "NaN", "Infinity", "-Infinity". Files written before the shared layer still read:
/// S-Seg's <c>img_per_s</c> and S-Seg+'s <c>iteration</c> / <c>seconds</c> map to the common keys.
/// </summary>
public static class MetricsLog
{
    private static readonly string[] CommonKeys = ["step", "epoch", "loss", "lr", "images_per_second", "elapsed", "time_utc"];
    private static readonly Dictionary<string, string> LegacyKeys = new()
    {
        ["iteration"] = "step", ["img_per_s"] = "images_per_second", ["seconds"] = "elapsed",
    };

    /// <summary>The run's lines with step ≤ <paramref name="upToStep"/> (lines an interrupted process logged after its
    /// last checkpoint are dropped, so a resumed run's file matches an uninterrupted one).</summary>
    public static async Task<List<MetricsLine>> ReadAsync(RunFolder run, long upToStep = long.MaxValue, CancellationToken ct = default)
    {
        var text = await run.ReadTextAsync(RunFolder.MetricsFile, ct);
        return text is null ? [] : Parse(text, run.Key(RunFolder.MetricsFile)).Where(m => m.Step <= upToStep).ToList();
    }

    public static Task WriteAsync(RunFolder run, IEnumerable<MetricsLine> lines, CancellationToken ct = default) =>
        run.WriteTextAsync(RunFolder.MetricsFile, Format(lines), ct);

    public static string Format(IEnumerable<MetricsLine> lines)
    {
        var sb = new StringBuilder();
        using var buffer = new MemoryStream();
        foreach (var m in lines)
        {
            buffer.SetLength(0);
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteNumber("step", m.Step);
                Number(w, "epoch", m.Epoch);
                Number(w, "loss", m.Loss);
                Number(w, "lr", m.Lr);
                Number(w, "images_per_second", m.ImagesPerSecond);
                Number(w, "elapsed", m.Elapsed);
                w.WriteString("time_utc", m.TimeUtc);
                foreach (var (key, value) in m.Fields) Number(w, key, value);
                w.WriteEndObject();
            }
            sb.Append(Encoding.UTF8.GetString(buffer.ToArray())).Append('\n');
        }
        return sb.ToString();
    }

    public static List<MetricsLine> Parse(string text, string source)
    {
        var list = new List<MetricsLine>();
        var lineNumber = 0;
        foreach (var line in text.Split('\n'))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                list.Add(ParseLine(line));
            }
            catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
            {
                throw new InvalidDataException($"{source} line {lineNumber}: {e.Message}", e);
            }
        }
        return list;
    }

    private static MetricsLine ParseLine(string line)
    {
        using var doc = JsonDocument.Parse(line);
        if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException("not a JSON object");
        var common = new Dictionary<string, double>();
        var fields = new Dictionary<string, double>();
        DateTimeOffset time = default;
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            var key = LegacyKeys.GetValueOrDefault(p.Name, p.Name);
            if (key == "time_utc") time = p.Value.GetDateTimeOffset();
            else if (CommonKeys.Contains(key)) common[key] = Read(p.Value, p.Name);
            else if (p.Value.ValueKind is JsonValueKind.Number or JsonValueKind.String) fields[key] = Read(p.Value, p.Name);
        }
        if (!common.TryGetValue("step", out var step)) throw new JsonException("no \"step\"");
        return new MetricsLine
        {
            Step = (long)step, Epoch = common.GetValueOrDefault("epoch"), Loss = common.GetValueOrDefault("loss", double.NaN),
            Lr = common.GetValueOrDefault("lr", double.NaN), ImagesPerSecond = common.GetValueOrDefault("images_per_second", double.NaN),
            Elapsed = common.GetValueOrDefault("elapsed", double.NaN), TimeUtc = time, Fields = fields,
        };
    }

    private static double Read(JsonElement e, string name) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.String => double.Parse(e.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture),
        _ => throw new JsonException($"\"{name}\" is not a number"),
    };

    private static void Number(Utf8JsonWriter w, string key, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(key, value);
        else w.WriteString(key, value.ToString(CultureInfo.InvariantCulture));
    }
}
