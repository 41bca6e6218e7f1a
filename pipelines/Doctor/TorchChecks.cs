using SSeg.Models;
using TorchSharp;

namespace SSeg.Pipelines.Doctor;

/// <summary>What the compute side of a host offers: the build, libtorch, CUDA, bf16, threads, the GLIBCXX patch.</summary>
public static class TorchChecks
{
    private const string NativeLibrary = "libLibTorchSharp.so";
    private const string PatchedVersion = "GLIBCXX_3.4.32";

    /// <summary>The checks, and whether CUDA is usable (the queue check needs it).</summary>
    public static (List<DoctorCheck> Checks, bool CudaAvailable) Run(IReadOnlyList<string>? gpuProbePaths = null)
    {
        var checks = new List<DoctorCheck>
        {
            DoctorCheck.Ok("backend", $"{TorchBackendInfo.Compiled} (built with -p:TorchBackend={TorchBackendInfo.Compiled})"),
        };
        var torchSharp = typeof(torch).Assembly.GetName().Version?.ToString(3) ?? "?";
        string libtorch;
        try
        {
            libtorch = torch.__version__;
        }
        catch (Exception e)
        {
            // Nothing below can run without the native library; say why it did not load.
            checks.Add(DoctorCheck.Fail("torch", $"TorchSharp {torchSharp}: native library did not load: {e.GetBaseException().Message}"));
            checks.Add(GlibcxxCheck(loaded: false));
            return (checks, false);
        }
        checks.Add(DoctorCheck.Ok("torch", $"TorchSharp {torchSharp}, libtorch {libtorch}"));
        checks.Add(GlibcxxCheck(loaded: true));
        checks.Add(KeepAliveCheck());

        var cudaAvailable = torch.cuda.is_available();
        var gpuVisible = GpuProbe.NvidiaVisible(gpuProbePaths);
        if (cudaAvailable)
        {
            var names = NvidiaGpuNames();
            checks.Add(DoctorCheck.Ok("cuda", $"available, {torch.cuda.device_count()} device(s)" +
                                              (names.Count > 0 ? ": " + string.Join(", ", names) : "")));
        }
        else if (gpuVisible && DeviceSelector.CpuBuildOnGpuHostWarning() is { } unused)
            checks.Add(DoctorCheck.Warn("cuda", unused));
        else if (TorchBackendInfo.IsCuda)
            checks.Add(DoctorCheck.Warn("cuda", "CUDA build, but CUDA is not available (no GPU visible, or the driver is older than libtorch's CUDA)"));
        else
            checks.Add(DoctorCheck.Ok("cuda", "not available (CPU build, no NVIDIA GPU visible)"));

        checks.Add(Bf16Check(cudaAvailable));
        checks.Add(DoctorCheck.Ok("threads", $"torch uses {torch.get_num_threads()} thread(s), {Environment.ProcessorCount} logical CPU(s)"));
        return (checks, cudaAvailable);
    }

    /// <summary>
    /// The file the process actually mapped (from /proc/self/maps), else the one beside the app; loading it at all
    /// is the proof the patch works, the ELF flag says whether the patch was needed and applied.
    /// </summary>
    private static DoctorCheck GlibcxxCheck(bool loaded)
    {
        var path = LoadedNativePath() ?? Path.Combine(AppContext.BaseDirectory, NativeLibrary);
        if (!File.Exists(path)) return DoctorCheck.Warn("glibcxx", $"{NativeLibrary} not found beside the app ({path})");
        var state = ElfVersionNeeds.Inspect(path, PatchedVersion);
        var what = state switch
        {
            ElfVersionNeeds.State.Weak => $"{PatchedVersion} requirement marked weak (patched)",
            ElfVersionNeeds.State.Strong => $"{PatchedVersion} required (not patched)",
            ElfVersionNeeds.State.NotRequired => $"no {PatchedVersion} requirement",
            _ => "not an ELF64 file",
        };
        return loaded
            ? DoctorCheck.Ok("glibcxx", $"{path} loaded; {what}")
            : DoctorCheck.Fail("glibcxx", $"{path} did not load; {what} (build/WeakGlibcxxVersion.targets patches it in build and publish output)");
    }

    private static DoctorCheck KeepAliveCheck()
    {
        var path = typeof(torch).Assembly.Location;
        return TorchBackendInfo.KeepAliveRewritten
            ? DoctorCheck.Ok("keepalive", $"{path} keeps native-call arguments alive (build/TorchSharpKeepAlive)")
            : DoctorCheck.Fail("keepalive", $"{path} is the package's TorchSharp.dll, not the build's rewrite: a garbage collection " +
                                            "during a libtorch call can free a Scalar it reads; build or publish with this repository's Directory.Build.targets");
    }

    private static string? LoadedNativePath()
    {
        try
        {
            return File.ReadLines("/proc/self/maps")
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(parts => parts.Length >= 6 && parts[^1].EndsWith("/" + NativeLibrary, StringComparison.Ordinal))
                .Select(parts => parts[^1]).FirstOrDefault();
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>TorchSharp 0.107 exposes no device names; the NVIDIA driver lists them per bus id.</summary>
    private static List<string> NvidiaGpuNames()
    {
        const string gpus = "/proc/driver/nvidia/gpus";
        if (!Directory.Exists(gpus)) return [];
        return Directory.GetDirectories(gpus).Order()
            .Select(d => Path.Combine(d, "information"))
            .Where(File.Exists)
            .Select(f => File.ReadLines(f).FirstOrDefault(l => l.StartsWith("Model:", StringComparison.Ordinal))?["Model:".Length..].Trim())
            .OfType<string>().ToList();
    }

    /// <summary>
    /// CPU: libtorch runs bf16 natively only with AVX512-BF16 or AMX-BF16, otherwise emulated (slow). CUDA: needs
    /// compute capability 8.0+, which TorchSharp 0.107 cannot query, so that is reported as unknown.
    /// </summary>
    private static DoctorCheck Bf16Check(bool cudaAvailable)
    {
        string[] wanted = ["avx512_bf16", "amx_bf16"];
        var flags = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal))?
                  .Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet() ?? []
            : [];
        var found = wanted.Where(flags.Contains).ToList();
        var cpu = found.Count > 0 ? $"CPU has {string.Join(", ", found)}" : "CPU has no avx512_bf16/amx_bf16 (bf16 is emulated, slow)";
        return cudaAvailable
            ? DoctorCheck.Warn("bf16", $"{cpu}; GPU bf16 unknown (needs compute capability 8.0+, not exposed by TorchSharp)")
            : DoctorCheck.Ok("bf16", cpu);
    }
}
