using System.Text.Json;
using SSeg.Eval.Scoring;
using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Selftrain.Tests;

/// <summary>
/// A stand-in for a trained S-Seg (open-vocabulary, background by threshold) until train's S-Seg scorer exists:
/// it decides per 8×8 block from the block's mean colour (red → cat, blue → dog, else a flat distribution that the
/// background rule turns into background) and, like a noisy teacher, swaps cat and dog on a fixed pseudo-random
/// 20% of blocks. Checkpoint: a JSON file {"kind": "stand-in-teacher"}.
/// </summary>
public sealed class StandInTeacherFactory : IScorerFactory
{
    public string Kind => "stand-in-teacher";

    public bool CanLoad(string checkpointPath) =>
        checkpointPath.EndsWith(".json", StringComparison.Ordinal) && File.Exists(checkpointPath) &&
        File.ReadAllText(checkpointPath).Contains("\"stand-in-teacher\"", StringComparison.Ordinal);

    public ISegmentationScorer Load(string checkpointPath, ScorerLoadOptions options)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(checkpointPath));
        var swap = doc.RootElement.TryGetProperty("swap", out var s) ? s.GetDouble() : 0.2;
        return new StandInTeacher(options.Device, swap);
    }

    public string? ResolveCheckpointFile(string checkpointPath) => File.Exists(checkpointPath) ? checkpointPath : null;

    public static string Write(string path, double swap = 0.2)
    {
        File.WriteAllText(path, JsonSerializer.Serialize(new { kind = "stand-in-teacher", swap }));
        return path;
    }
}

public sealed class StandInTeacher(Device device, double swap) : ISegmentationScorer
{
    private int _cat = -1, _dog = -1, _classes;

    public string Name => "stand-in S-Seg teacher";
    public Device Device { get; } = device;
    public bool BackgroundIsLearned => false;

    public void Prepare(IReadOnlyList<string> foregroundClassNames)
    {
        _classes = foregroundClassNames.Count;
        _cat = foregroundClassNames.ToList().IndexOf("cat");
        _dog = foregroundClassNames.ToList().IndexOf("dog");
        if (_cat < 0 || _dog < 0) throw new InvalidOperationException("the stand-in teacher knows only cat and dog");
    }

    public Tensor ScoreWindows(Tensor windows)
    {
        using var scope = NewDisposeScope();
        long b = windows.shape[0], h = windows.shape[2], w = windows.shape[3];
        var blocks = nn.functional.avg_pool2d(windows, 8, 8, ceil_mode: true); // normalized RGB block means
        var r = blocks[.., 0]; var bl = blocks[.., 2];
        var red = (r - bl).gt(1.0);
        var blue = (bl - r).gt(1.0);
        var bh = blocks.shape[2]; var bw = blocks.shape[3];
        // Fixed pseudo-random swap mask from block coordinates and the block's colour.
        var ys = arange(bh).reshape(1, bh, 1); var xs = arange(bw).reshape(1, 1, bw);
        var hash = (ys * 73856093 + xs * 19349663 + (r * 100).to(int64) * 83492791).remainder(1000).abs();
        var swapped = hash.lt((long)(swap * 1000));
        var cat = where(swapped, blue, red).unsqueeze(1);
        var dog = where(swapped, red, blue).unsqueeze(1);
        var flat = full(new long[] { b, _classes, bh, bw }, 1.0f / _classes, dtype: float32, device: windows.device);
        var rest = 0.03f / (_classes - 1);
        var catScores = full(new long[] { b, _classes, bh, bw }, rest, dtype: float32, device: windows.device);
        catScores[.., _cat] = tensor(0.97f);
        var dogScores = full(new long[] { b, _classes, bh, bw }, rest, dtype: float32, device: windows.device);
        dogScores[.., _dog] = tensor(0.97f);
        var scores = where(cat, catScores, where(dog, dogScores, flat));
        var up = nn.functional.interpolate(scores, new[] { bh * 8, bw * 8 }, mode: InterpolationMode.Nearest);
        return up[.., .., ..(int)h, ..(int)w].contiguous().MoveToOuterDisposeScope();
    }

    public void Dispose() { }
}
