using System.Diagnostics;
using System.Text.Json;
using SSeg.Tests.Common;

namespace SSeg.Models.Tests;

/// <summary>
/// The TorchBackend build switch (build/TorchBackend.props). The CUDA package is not on the registry mirror here,
/// so these tests only evaluate the project's items with `dotnet msbuild -getItem` (no restore, no build).
/// </summary>
public class TorchBackendSwitchTests
{
    [Fact]
    public void Default_references_the_cpu_package()
    {
        var (code, packages, output) = Evaluate([], null);
        Assert.True(code == 0, output);
        Assert.Contains("TorchSharp-cpu", packages);
        Assert.DoesNotContain("TorchSharp-cuda-linux", packages);
    }

    [Fact]
    public void Property_cuda_references_the_cuda_package_instead()
    {
        var (code, packages, output) = Evaluate(["-p:TorchBackend=cuda"], null);
        Assert.True(code == 0, output);
        Assert.Contains("TorchSharp-cuda-linux", packages);
        Assert.DoesNotContain("TorchSharp-cpu", packages);
    }

    [Fact]
    public void Environment_variable_cuda_references_the_cuda_package_instead()
    {
        var (code, packages, output) = Evaluate([], "cuda");
        Assert.True(code == 0, output);
        Assert.Contains("TorchSharp-cuda-linux", packages);
        Assert.DoesNotContain("TorchSharp-cpu", packages);
    }

    [Fact]
    public void Unknown_backend_fails_naming_the_accepted_values()
    {
        var (code, _, output) = Evaluate(["-p:TorchBackend=rocm"], null);
        Assert.NotEqual(0, code);
        Assert.Contains("TorchBackend 'rocm' is not supported", output);
        Assert.Contains("-p:TorchBackend=cuda", output);
    }

    /// <summary>Runs the validation target (it restores nothing) and returns the PackageReference identities.</summary>
    private static (int Code, List<string> Packages, string Output) Evaluate(string[] extra, string? environmentBackend)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "msbuild", Path.Combine("models", "SSeg.Models.csproj"), "-nologo",
                     "-getItem:PackageReference", "-t:ValidateTorchBackend" }.Concat(extra))
            start.ArgumentList.Add(arg);
        // The test host may itself run under SSEG_TORCH_BACKEND; each case sets or clears it explicitly.
        start.Environment["SSEG_TORCH_BACKEND"] = environmentBackend ?? "";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "dotnet msbuild did not finish in 2 minutes");
        var output = stdout.Result + stderr.Result;
        var packages = new List<string>();
        if (process.ExitCode == 0)
        {
            using var json = JsonDocument.Parse(stdout.Result);
            packages.AddRange(json.RootElement.GetProperty("Items").GetProperty("PackageReference").EnumerateArray()
                .Select(item => item.GetProperty("Identity").GetString()!));
        }
        return (process.ExitCode, packages, output);
    }
}
