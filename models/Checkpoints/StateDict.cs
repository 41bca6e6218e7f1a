using static TorchSharp.torch;

namespace SSeg.Models;

/// <summary>Named tensors read from a checkpoint file, with where they came from. Owns the tensors.</summary>
public sealed class StateDict : IDisposable
{
    public StateDict(IReadOnlyDictionary<string, Tensor> tensors, string path, string format, string sha256,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        Tensors = tensors;
        Path = path;
        Format = format;
        Sha256 = sha256;
        Metadata = metadata ?? new Dictionary<string, string>();
    }

    public IReadOnlyDictionary<string, Tensor> Tensors { get; }
    public string Path { get; }
    /// <summary>"pth" or "safetensors".</summary>
    public string Format { get; }
    /// <summary>Lower-case hex SHA-256 of the file bytes.</summary>
    public string Sha256 { get; }
    /// <summary>safetensors __metadata__ (empty for .pth).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public Tensor this[string key] => Tensors.TryGetValue(key, out var t)
        ? t
        : throw new KeyNotFoundException($"Tensor '{key}' not in {Path}.");

    public void Dispose()
    {
        foreach (var t in Tensors.Values) t.Dispose();
    }
}

public sealed record ShapeMismatch(string Key, long[] Expected, long[] Found)
{
    public override string ToString() => $"{Key}: expected [{string.Join(", ", Expected)}], found [{string.Join(", ", Found)}]";
}

/// <summary>Outcome of loading a state dict into a module.</summary>
public sealed record LoadReport(
    string Path,
    string Sha256,
    int Loaded,
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Unexpected,
    IReadOnlyList<ShapeMismatch> Mismatched,
    IReadOnlyList<string> Ignored)
{
    public bool IsExact => Missing.Count == 0 && Unexpected.Count == 0 && Mismatched.Count == 0;

    public string Describe()
    {
        var lines = new List<string> { $"{Path} (sha256 {Sha256}): {Loaded} tensors loaded" };
        if (Missing.Count > 0) lines.Add($"missing ({Missing.Count}): {string.Join(", ", Missing)}");
        if (Unexpected.Count > 0) lines.Add($"unexpected ({Unexpected.Count}): {string.Join(", ", Unexpected)}");
        if (Mismatched.Count > 0) lines.Add($"mis-shaped ({Mismatched.Count}): {string.Join("; ", Mismatched)}");
        if (Ignored.Count > 0) lines.Add($"ignored ({Ignored.Count}): {string.Join(", ", Ignored.Take(10))}{(Ignored.Count > 10 ? ", ..." : "")}");
        return string.Join(Environment.NewLine, lines);
    }
}

/// <summary>Thrown by a strict load when keys or shapes do not match; carries the full report.</summary>
public sealed class CheckpointMismatchException(LoadReport report)
    : Exception("Checkpoint does not match the model:" + Environment.NewLine + report.Describe())
{
    public LoadReport Report { get; } = report;
}
