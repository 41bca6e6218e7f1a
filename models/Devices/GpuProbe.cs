namespace SSeg.Models;

/// <summary>
/// Whether an NVIDIA GPU is visible to this host, independent of libtorch: the CPU build cannot see CUDA at all,
/// so the driver's device node and proc folder are the only way to notice a GPU it is ignoring.
/// </summary>
public static class GpuProbe
{
    /// <summary>Paths the NVIDIA driver creates; tests pass their own (a temp file) to simulate a GPU host.</summary>
    public static readonly IReadOnlyList<string> NvidiaPaths = ["/dev/nvidia0", "/proc/driver/nvidia"];

    public static bool NvidiaVisible(IReadOnlyList<string>? probePaths = null) =>
        (probePaths ?? NvidiaPaths).Any(p => File.Exists(p) || Directory.Exists(p));
}
