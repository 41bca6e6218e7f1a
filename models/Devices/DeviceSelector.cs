using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Models;

/// <summary>Chooses the compute device (CUDA when present, else CPU) and the CPU thread count.</summary>
public static class DeviceSelector
{
    private static int _warnedCpuBuildOnGpuHost;

    /// <summary>
    /// "auto" (or null/empty): CUDA when available, else CPU. "cpu" forces CPU. "cuda" or "cuda:N" requires CUDA
    /// and fails with a clear message when it is missing.
    /// </summary>
    /// <param name="gpuProbePaths">Where to look for an NVIDIA driver (default <see cref="GpuProbe.NvidiaPaths"/>).</param>
    /// <param name="warn">Receives the warning that a visible GPU goes unused; default: stderr, once per process.</param>
    public static Device Select(string? requested = null, IReadOnlyList<string>? gpuProbePaths = null, Action<string>? warn = null)
    {
        var name = string.IsNullOrWhiteSpace(requested) ? "auto" : requested.Trim().ToLowerInvariant();
        if (name == "auto")
        {
            if (cuda.is_available()) return CUDA;
            if (GpuProbe.NvidiaVisible(gpuProbePaths) && CpuBuildOnGpuHostWarning() is { } message)
            {
                // Silently training on CPU next to an idle GPU costs hours; say so, but only once per process by default.
                if (warn is not null) warn(message);
                else if (Interlocked.Exchange(ref _warnedCpuBuildOnGpuHost, 1) == 0) Console.Error.WriteLine($"warning: {message}");
            }
            return CPU;
        }
        if (name == "cpu") return CPU;
        if (name.StartsWith("cuda", StringComparison.Ordinal))
        {
            if (!cuda.is_available()) throw new InvalidOperationException(CudaMissingMessage(requested!));
            return new Device(name);
        }
        throw new ArgumentException($"Unknown device '{requested}'. Use auto, cpu, cuda or cuda:N.", nameof(requested));
    }

    /// <summary>Null on a CUDA build: there the GPU is unusable for another reason (driver), not the build.</summary>
    public static string? CpuBuildOnGpuHostWarning() =>
        TorchBackendInfo.IsCuda
            ? null
            : "an NVIDIA GPU is visible but this is the CPU build of TorchSharp, so --device auto runs on the CPU. " +
              $"Build with {TorchBackendInfo.CudaBuildSwitch} to use the GPU (run `doctor` to check the host).";

    public static string CudaMissingMessage(string requested) =>
        TorchBackendInfo.IsCuda
            ? $"Device '{requested}' was requested but CUDA is not available to this CUDA build (no GPU, or the driver " +
              "does not support libtorch's CUDA version). Run `doctor` to check the host, or use --device cpu or auto."
            : $"Device '{requested}' was requested but CUDA is not available: this is the CPU build of TorchSharp. Rebuild with " +
              $"{TorchBackendInfo.CudaBuildSwitch} (or SSEG_TORCH_BACKEND=cuda) on a GPU host and run `doctor` to check it, " +
              "or use --device cpu or auto.";

    /// <summary>
    /// Sets libtorch's intra-op thread count on the calling OS thread to the given count, or to
    /// <see cref="DefaultThreads"/> when none is given (null or 0); returns the count in effect. Always set: libtorch
    /// (OpenMP) keeps the count per OS thread, and a pool thread keeps whatever an earlier job on it set, so leaving it
    /// alone would make the reductions, and so the results, depend on which thread a step lands on.
    /// </summary>
    public static int SetThreads(int? threads)
    {
        torch.set_num_threads(threads is > 0 ? threads.Value : DefaultThreads);
        return torch.get_num_threads();
    }

    /// <summary>The count libtorch gives a thread nobody has configured (OMP_NUM_THREADS, else its own default).</summary>
    public static int DefaultThreads => FreshThreadCount.Value;

    private static readonly Lazy<int> FreshThreadCount = new(() =>
    {
        var count = 0;
        var probe = new Thread(() => count = torch.get_num_threads());
        probe.Start();
        probe.Join();
        return count;
    });

    public static string Describe(Device device) =>
        device.type == DeviceType.CUDA
            ? $"cuda:{device.index} ({cuda.device_count()} visible)"
            : $"cpu ({torch.get_num_threads()} threads)";
}
