using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SSeg.Train.Training;

namespace SSeg.Selftrain.Training;

/// <summary>One line of metrics.jsonl.</summary>
public sealed record TrainMetric(
    [property: JsonPropertyName("iteration")] long Iteration,
    [property: JsonPropertyName("epoch")] double Epoch,
    [property: JsonPropertyName("loss")] double Loss,
    [property: JsonPropertyName("loss_main")] double LossMain,
    [property: JsonPropertyName("loss_aux")] double LossAux,
    [property: JsonPropertyName("lr")] double LearningRate,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("images_per_second")] double ImagesPerSecond);

/// <summary>
/// metrics.jsonl of a run in its <see cref="RunStore"/> folder, rewritten whole on every log (storage objects are
/// not appendable). On resume, lines past the resumed iteration (logged after the last checkpoint by the
/// interrupted process) are dropped so the file matches an uninterrupted run.
/// </summary>
public static class MetricsLog
{
    public const string FileName = "metrics.jsonl";
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static async Task<List<TrainMetric>> ReadAsync(RunStore run, long upToIteration = long.MaxValue, CancellationToken ct = default)
    {
        var text = await run.ReadTextAsync(FileName, ct);
        return text is null ? [] : Parse(text, run.Key(FileName)).Where(m => m.Iteration <= upToIteration).ToList();
    }

    public static async Task WriteAsync(RunStore run, IReadOnlyList<TrainMetric> metrics, CancellationToken ct = default)
    {
        var sb = new StringBuilder();
        foreach (var m in metrics) sb.Append(JsonSerializer.Serialize(m, Json)).Append('\n');
        await run.WriteTextAsync(FileName, sb.ToString(), ct);
    }

    public static List<TrainMetric> Parse(string text, string source)
    {
        var list = new List<TrainMetric>();
        var lineNumber = 0;
        foreach (var line in text.Split('\n'))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                list.Add(JsonSerializer.Deserialize<TrainMetric>(line, Json) ?? throw new JsonException("null"));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{source} line {lineNumber}: {e.Message}", e);
            }
        }
        return list;
    }
}
