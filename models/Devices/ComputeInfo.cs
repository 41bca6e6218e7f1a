using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Models;

/// <summary>
/// Where a stage's tensors ran: device, dtype of the network's forward pass and libtorch's intra-op thread count.
/// Printed when a GPU-queue stage starts and stored in what it writes (mask shard metadata, checkpoint metadata, eval
/// report) under <see cref="DeviceKey"/>, <see cref="PrecisionKey"/> and <see cref="ThreadsKey"/>, so that a
/// figure can always be traced to the hardware that produced it.
/// </summary>
public sealed record ComputeInfo(string Device, string Precision, int Threads)
{
    public const string DeviceKey = "device";
    public const string PrecisionKey = "precision";
    public const string ThreadsKey = "threads";

    /// <summary>The current process's settings for <paramref name="device"/> (threads read from libtorch now).</summary>
    public static ComputeInfo Of(Device device, InferencePrecision precision = InferencePrecision.Fp32) =>
        new(device.type == DeviceType.CUDA ? $"cuda:{Math.Max(0, (int)device.index)}" : "cpu",
            InferencePrecisions.Name(precision), get_num_threads());

    /// <summary>Where a module's parameters live and their dtype (fp32 for anything that is neither bf16 nor fp16).</summary>
    public static ComputeInfo OfModule(nn.Module module)
    {
        var first = module.parameters().FirstOrDefault();
        var precision = first?.dtype switch
        {
            ScalarType.BFloat16 => InferencePrecision.Bf16,
            ScalarType.Float16 => InferencePrecision.Fp16,
            _ => InferencePrecision.Fp32,
        };
        return Of(first?.device ?? CPU, precision);
    }

    /// <summary>The three fields as string pairs, for key-value metadata (Parquet, safetensors).</summary>
    public IReadOnlyDictionary<string, string> ToMetadata(string prefix = "") => new Dictionary<string, string>
    {
        [prefix + DeviceKey] = Device,
        [prefix + PrecisionKey] = Precision,
        [prefix + ThreadsKey] = Threads.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The printed start line's body, e.g. "device cpu, precision bf16, 2 threads".</summary>
    public override string ToString() => $"device {Device}, precision {Precision}, {Threads} threads";
}
