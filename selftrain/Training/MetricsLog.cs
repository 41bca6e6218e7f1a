using System.Text.Json;
using System.Text.Json.Serialization;

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
/// metrics.jsonl of a run: one JSON object per logged iteration. On resume, lines past the resumed iteration
/// (logged after the last checkpoint by the interrupted process) are dropped so the file matches an uninterrupted run.
/// </summary>
public sealed class MetricsLog
{
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public MetricsLog(string path) => Path = path;

    public string Path { get; }

    public IReadOnlyList<TrainMetric> ReadAll()
    {
        if (!File.Exists(Path)) return [];
        var list = new List<TrainMetric>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(Path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                list.Add(JsonSerializer.Deserialize<TrainMetric>(line, Json) ?? throw new JsonException("null"));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{Path} line {lineNumber}: {e.Message}", e);
            }
        }
        return list;
    }

    public void TruncateAfter(long iteration)
    {
        if (!File.Exists(Path)) return;
        var kept = ReadAll().Where(m => m.Iteration <= iteration).Select(m => JsonSerializer.Serialize(m, Json));
        var tmp = Path + ".tmp";
        File.WriteAllLines(tmp, kept);
        File.Move(tmp, Path, overwrite: true);
    }

    public void Append(TrainMetric metric) => File.AppendAllText(Path, JsonSerializer.Serialize(metric, Json) + "\n");
}
