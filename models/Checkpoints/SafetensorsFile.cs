using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Models;

/// <summary>
/// The safetensors format: 8-byte little-endian header length, a JSON header
/// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {..}}, then the raw little-endian bytes.
/// </summary>
public static class SafetensorsFile
{
    private static readonly Dictionary<string, ScalarType> DTypes = new()
    {
        ["F64"] = ScalarType.Float64, ["F32"] = ScalarType.Float32, ["F16"] = ScalarType.Float16,
        ["BF16"] = ScalarType.BFloat16, ["I64"] = ScalarType.Int64, ["I32"] = ScalarType.Int32,
        ["I16"] = ScalarType.Int16, ["I8"] = ScalarType.Int8, ["U8"] = ScalarType.Byte, ["BOOL"] = ScalarType.Bool,
    };

    /// <summary>Reads every tensor (on CPU) and the metadata.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not valid safetensors; the message names it and the fault.</exception>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Read(string path)
    {
        using var stream = Open(path);
        using var header = SafetensorsHeader.Read(stream, path);
        var metadata = header.Metadata(path);
        var tensors = new Dictionary<string, Tensor>();
        try
        {
            foreach (var entry in header.Root.EnumerateObject())
            {
                if (entry.Name == SafetensorsHeader.MetadataKey) continue;
                var dtypeName = entry.Value.GetProperty("dtype").GetString()!;
                if (!DTypes.TryGetValue(dtypeName, out var dtype))
                    throw new InvalidDataException($"{path}: tensor '{entry.Name}' has unsupported dtype {dtypeName}.");
                var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                var length = offsets[1] - offsets[0];
                var t = empty(shape, dtype);
                if (length != t.NumberOfElements * t.ElementSize)
                    throw new InvalidDataException($"{path}: tensor '{entry.Name}' has {length} bytes for shape [{string.Join(", ", shape)}] {dtypeName}.");
                var bytes = new byte[length];
                stream.Seek(header.DataStart + offsets[0], SeekOrigin.Begin);
                stream.ReadExactly(bytes);
                if (length > 0) t.bytes = bytes;
                tensors[entry.Name] = t;
            }
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        return (tensors, metadata);
    }

    /// <summary>Reads only the header's metadata, never the weights: what a checkpoint says it is, cheaply.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not valid safetensors; the message names it and the fault.</exception>
    public static SafetensorsMetadata ReadMetadata(string path)
    {
        using var stream = Open(path);
        using var header = SafetensorsHeader.Read(stream, path);
        return new SafetensorsMetadata(path, header.Metadata(path));
    }

    /// <summary>
    /// Whether the file is safetensors with metadata <paramref name="key"/> = <paramref name="value"/>: a probe for
    /// "is this file mine?", so a missing or foreign file answers false instead of throwing.
    /// </summary>
    public static bool HasMetadata(string path, string key, string value)
    {
        try { return ReadMetadata(path).Get(key) == value; }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException) { return false; }
    }

    private static FileStream Open(string path)
    {
        try { return File.OpenRead(path); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"{path}: safetensors file not found.", path, e);
        }
    }

    /// <summary>Writes tensors (copied to CPU, contiguous) atomically: a temporary file renamed into place.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new Dictionary<string, object>();
        if (metadata is { Count: > 0 }) header["__metadata__"] = metadata;
        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var (name, tensor) in tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            using var cpuTensor = tensor.detach().cpu().contiguous();
            var code = DTypes.First(kv => kv.Value == cpuTensor.dtype).Key;
            var bytes = cpuTensor.NumberOfElements == 0 ? Array.Empty<byte>() : cpuTensor.bytes.ToArray();
            header[name] = new { dtype = code, shape = cpuTensor.shape, data_offsets = new[] { offset, offset + bytes.Length } };
            blobs.Add(bytes);
            offset += bytes.Length;
        }
        var headerBytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        var padded = (headerBytes.Length + 7) / 8 * 8;
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        using (var stream = File.Create(temp))
        {
            var lengthBytes = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(lengthBytes, (ulong)padded);
            stream.Write(lengthBytes);
            stream.Write(headerBytes);
            for (var i = headerBytes.Length; i < padded; i++) stream.WriteByte((byte)' ');
            foreach (var blob in blobs) stream.Write(blob);
        }
        File.Move(temp, path, overwrite: true);
    }
}
