using System.Reflection;

namespace SSeg.Models;

/// <summary>
/// The TorchSharp native build this assembly was compiled against (-p:TorchBackend, build/TorchBackend.props).
/// Known at run time so messages can tell "no GPU" apart from "CPU build on a GPU host".
/// </summary>
public static class TorchBackendInfo
{
    /// <summary>The MSBuild switch that selects the CUDA build; quoted in every message that suggests it.</summary>
    public const string CudaBuildSwitch = "-p:TorchBackend=cuda";

    /// <summary>"cpu" or "cuda", from the assembly metadata the build writes.</summary>
    public static string Compiled { get; } =
        typeof(TorchBackendInfo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "SSeg.TorchBackend")?.Value ?? "cpu";

    public static bool IsCuda => Compiled == "cuda";

    /// <summary>
    /// Whether the loaded TorchSharp.dll is the build's rewrite that keeps native-call arguments alive
    /// (build/TorchSharpKeepAlive); without it, concurrent garbage collections can free Scalars libtorch is reading.
    /// The key is the one KeepAliveRewriter writes.
    /// </summary>
    public static bool KeepAliveRewritten { get; } =
        typeof(TorchSharp.torch).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Any(a => a.Key == "SSeg.TorchSharpKeepAlive" && a.Value == "1");
}
