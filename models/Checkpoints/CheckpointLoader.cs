using System.Collections;
using System.Security.Cryptography;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace SSeg.Models;

/// <summary>How to turn a checkpoint file into a flat state dict.</summary>
/// <param name="WrapperKeys">Nested dicts to unwrap, first present wins (DINO full checkpoints: teacher; MAE: model).</param>
/// <param name="StripPrefixes">Key prefixes removed (repeatedly) from every key.</param>
public sealed record CheckpointReadOptions(IReadOnlyList<string>? WrapperKeys = null, IReadOnlyList<string>? StripPrefixes = null)
{
    public static readonly IReadOnlyList<string> DefaultWrapperKeys = ["teacher", "model", "state_dict", "model_state", "module"];
    public static readonly IReadOnlyList<string> DefaultStripPrefixes = ["module.", "backbone."];
    public static CheckpointReadOptions Default { get; } = new();
}

/// <summary>
/// Reads .pth/.pt (PyTorch zip pickles, via TorchSharp.PyBridge) and .safetensors checkpoints, unwraps
/// nested dicts, strips DDP/DINO prefixes, and loads them into modules with a strict key and shape check.
/// </summary>
public static class CheckpointLoader
{
    public static StateDict Read(string path, CheckpointReadOptions? options = null)
    {
        options ??= CheckpointReadOptions.Default;
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint file not found: {path}", path);
        var sha = Sha256(path);
        var extension = Path.GetExtension(path).ToLowerInvariant();
        Dictionary<string, Tensor> raw;
        Dictionary<string, string> metadata = new();
        string format;
        if (extension == ".safetensors")
        {
            (raw, metadata) = SafetensorsFile.Read(path);
            format = "safetensors";
        }
        else
        {
            raw = ReadPickle(path, options.WrapperKeys ?? CheckpointReadOptions.DefaultWrapperKeys);
            format = "pth";
        }
        var prefixes = options.StripPrefixes ?? CheckpointReadOptions.DefaultStripPrefixes;
        var renamed = new Dictionary<string, Tensor>();
        foreach (var (key, tensor) in raw)
        {
            var name = StripPrefixes(key, prefixes);
            if (!renamed.TryAdd(name, tensor))
                throw new InvalidDataException($"{path}: keys collide after stripping prefixes ({key} -> {name}).");
        }
        return new StateDict(renamed, path, format, sha, metadata);
    }

    /// <summary>
    /// Copies matching tensors into the module's parameters and buffers. Keys for which
    /// <paramref name="ignore"/> returns true (e.g. a DINO projection head) are skipped. Strict: throws
    /// <see cref="CheckpointMismatchException"/> listing missing, unexpected and mis-shaped keys.
    /// </summary>
    public static LoadReport LoadInto(nn.Module module, StateDict stateDict, bool strict = true, Func<string, bool>? ignore = null)
    {
        var target = module.state_dict();
        var missing = new List<string>();
        var mismatched = new List<ShapeMismatch>();
        var loaded = 0;
        var ignored = stateDict.Tensors.Keys.Where(k => ignore?.Invoke(k) == true).OrderBy(k => k, StringComparer.Ordinal).ToList();
        var unexpected = stateDict.Tensors.Keys
            .Where(k => !target.ContainsKey(k) && ignore?.Invoke(k) != true)
            .OrderBy(k => k, StringComparer.Ordinal).ToList();

        foreach (var (key, destination) in target)
        {
            if (!stateDict.Tensors.TryGetValue(key, out var source)) { missing.Add(key); continue; }
            if (!source.shape.SequenceEqual(destination.shape)) { mismatched.Add(new ShapeMismatch(key, destination.shape, source.shape)); continue; }
        }
        var report = new LoadReport(stateDict.Path, stateDict.Sha256, 0, missing, unexpected, mismatched, ignored);
        if (strict && !report.IsExact) throw new CheckpointMismatchException(report);

        using (no_grad())
        {
            foreach (var (key, destination) in target)
            {
                if (!stateDict.Tensors.TryGetValue(key, out var source) || !source.shape.SequenceEqual(destination.shape)) continue;
                destination.copy_(source);
                loaded++;
            }
        }
        return report with { Loaded = loaded };
    }

    /// <summary>Reads a file and loads it into the module (see <see cref="LoadInto"/>).</summary>
    public static LoadReport Load(nn.Module module, string path, bool strict = true, Func<string, bool>? ignore = null,
        CheckpointReadOptions? options = null)
    {
        using var stateDict = Read(path, options);
        return LoadInto(module, stateDict, strict, ignore);
    }

    /// <summary>Saves the module's parameters and buffers as safetensors (atomic write).</summary>
    /// <summary>Metadata key prefix of the <see cref="ComputeInfo"/> every saved checkpoint carries.</summary>
    public const string ComputeMetadataPrefix = "sseg.compute.";

    /// <summary>
    /// Writes the module's weights with <paramref name="metadata"/> plus where they were computed
    /// (<see cref="ComputeMetadataPrefix"/>device, precision = the parameters' dtype, threads), so that every checkpoint
    /// of every stage states its hardware without each trainer remembering to. Caller keys win.
    /// </summary>
    public static void SaveSafetensors(nn.Module module, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var all = new Dictionary<string, string>(ComputeInfo.OfModule(module).ToMetadata(ComputeMetadataPrefix));
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>()) all[key] = value;
        SafetensorsFile.Write(path, module.state_dict(), all);
    }

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static string StripPrefixes(string key, IReadOnlyList<string> prefixes)
    {
        var changed = true;
        while (changed)
        {
            changed = false;
            foreach (var prefix in prefixes)
                if (key.StartsWith(prefix, StringComparison.Ordinal)) { key = key[prefix.Length..]; changed = true; }
        }
        return key;
    }

    private static Dictionary<string, Tensor> ReadPickle(string path, IReadOnlyList<string> wrapperKeys)
    {
        Hashtable table;
        try
        {
            using var stream = File.OpenRead(path);
            table = PyTorchUnpickler.UnpickleStateDict(stream);
        }
        catch (Exception e) when (e is not IOException)
        {
            throw new InvalidDataException(
                $"{path}: cannot read as a PyTorch checkpoint (torch.save zip format of a state dict expected): {e.Message}", e);
        }
        var unwrapped = table;
        foreach (var key in wrapperKeys)
        {
            if (unwrapped[key] is Hashtable inner) { unwrapped = inner; break; }
        }
        var result = new Dictionary<string, Tensor>();
        foreach (DictionaryEntry entry in unwrapped)
            if (entry.Key is string name && entry.Value is Tensor t) result[name] = t;
        if (result.Count == 0)
            throw new InvalidDataException($"{path}: no tensors found (top-level keys: {string.Join(", ", table.Keys.Cast<object>().Take(20))}).");
        return result;
    }
}
