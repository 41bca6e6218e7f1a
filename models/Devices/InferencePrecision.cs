using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Models;

/// <summary>The dtype a network runs its inference forward pass in (<c>--precision</c>).</summary>
public enum InferencePrecision
{
    Fp32,
    Bf16,
    Fp16,
}

/// <summary>
/// Parsing, dtype and device checks for <see cref="InferencePrecision"/>. Only the network forward pass runs in the
/// reduced dtype: callers cast its outputs back to float32 before k-means, softmax/normalisation and metrics, whose
/// sums over many terms lose too much in 8 mantissa bits.
/// </summary>
public static class InferencePrecisions
{
    public const string Choices = "fp32, bf16 or fp16";

    public static InferencePrecision Parse(string? value) =>
        (value ?? "fp32").Trim().ToLowerInvariant() switch
        {
            "" or "fp32" or "float32" => InferencePrecision.Fp32,
            "bf16" or "bfloat16" => InferencePrecision.Bf16,
            "fp16" or "float16" or "half" => InferencePrecision.Fp16,
            _ => throw new ArgumentException($"Unknown precision '{value}'. Use {Choices}."),
        };

    public static string Name(InferencePrecision precision) => precision switch
    {
        InferencePrecision.Bf16 => "bf16",
        InferencePrecision.Fp16 => "fp16",
        _ => "fp32",
    };

    public static ScalarType DType(InferencePrecision precision) => precision switch
    {
        InferencePrecision.Bf16 => ScalarType.BFloat16,
        InferencePrecision.Fp16 => ScalarType.Float16,
        _ => ScalarType.Float32,
    };

    /// <summary>
    /// Fails for fp16 off CUDA: libtorch's CPU float16 kernels are missing for some ops and far slower than fp32 for
    /// the rest, so a CPU run would either crash mid-shard or silently take longer. bf16 is the CPU's reduced precision.
    /// </summary>
    public static void EnsureSupported(InferencePrecision precision, Device device)
    {
        if (precision == InferencePrecision.Fp16 && device.type != DeviceType.CUDA)
            throw new ArgumentException(
                $"--precision fp16 needs a CUDA device, but this run is on {device.type.ToString().ToLowerInvariant()}. " +
                "Use --precision bf16 (or fp32) on the CPU; for fp16 run on a GPU host with the CUDA build " +
                $"({TorchBackendInfo.CudaBuildSwitch}) and --device cuda.");
    }

    /// <summary>Moves <paramref name="model"/> to <paramref name="device"/>, casts it to the inference dtype (its inputs
    /// must be cast alike and its outputs back to fp32) and puts it in eval mode.</summary>
    public static void PrepareForInference(nn.Module model, Device device, InferencePrecision precision)
    {
        EnsureSupported(precision, device);
        model.to(device);
        if (precision != InferencePrecision.Fp32) model.to(DType(precision));
        model.eval();
    }
}
