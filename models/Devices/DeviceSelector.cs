using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Models;

/// <summary>Chooses the compute device (CUDA when present, else CPU) and the CPU thread count.</summary>
public static class DeviceSelector
{
    /// <summary>
    /// "auto" (or null/empty): CUDA when available, else CPU. "cpu" forces CPU. "cuda" or "cuda:N" requires CUDA
    /// and fails with a clear message when it is missing.
    /// </summary>
    public static Device Select(string? requested = null)
    {
        var name = string.IsNullOrWhiteSpace(requested) ? "auto" : requested.Trim().ToLowerInvariant();
        if (name == "auto") return cuda.is_available() ? CUDA : CPU;
        if (name == "cpu") return CPU;
        if (name.StartsWith("cuda", StringComparison.Ordinal))
        {
            if (!cuda.is_available())
                throw new InvalidOperationException(
                    $"Device '{requested}' was requested but CUDA is not available (TorchSharp-cpu package or no GPU). Use --device cpu or auto.");
            return new Device(name);
        }
        throw new ArgumentException($"Unknown device '{requested}'. Use auto, cpu, cuda or cuda:N.", nameof(requested));
    }

    /// <summary>Sets libtorch's intra-op thread count when given (n &gt; 0); returns the count in effect.</summary>
    public static int SetThreads(int? threads)
    {
        if (threads is > 0) torch.set_num_threads(threads.Value);
        return torch.get_num_threads();
    }

    public static string Describe(Device device) =>
        device.type == DeviceType.CUDA
            ? $"cuda:{device.index} ({cuda.device_count()} visible)"
            : $"cpu ({torch.get_num_threads()} threads)";
}
