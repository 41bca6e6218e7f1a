using System.Net;
using System.Net.Sockets;
using SSeg.Pipelines.Doctor;
using SSeg.Tests.Common;

namespace SSeg.Pipelines.Tests;

/// <summary>`doctor` in-process with the real torch, file system and Npgsql: one line per check, exit code from fails.</summary>
public sealed class DoctorTests
{
    private static readonly string[] CheckNames = ["backend", "torch", "glibcxx", "cuda", "bf16", "threads", "jpeg", "queues", "data root", "job storage"];

    [Fact]
    public async Task Temp_root_with_sqlite_storage_passes_with_a_line_per_check()
    {
        var root = RepoPaths.NewTempDir("sseg-doctor");
        try
        {
            var (code, lines) = await RunAsync(new() { ["Storage:Root"] = root, ["Jobs:Storage"] = "sqlite", ["Jobs:Queues"] = "cpu,gpu" });
            Assert.True(code == 0, string.Join("\n", lines));
            foreach (var name in CheckNames)
                Assert.True(lines.Any(l => l.Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is [var status, var n, ..]
                                           && status is "ok" or "warn" && n == name), $"no ok/warn line for '{name}':\n{string.Join("\n", lines)}");
            Assert.Contains(lines, l => l.StartsWith("ok") && l.Contains("glibcxx") && l.Contains("loaded"));
            Assert.Contains(lines, l => l.StartsWith("ok") && l.Contains("jpeg") && l.Contains("libturbojpeg.so.0"));   // test.sh installs it
            Assert.Contains(lines, l => l.StartsWith("ok") && l.Contains("job storage") && l.Contains(Path.Combine(root, "hangfire.db")));
            // The gpu queue on this CPU-only build is allowed, but reported with the build switch.
            Assert.Contains(lines, l => l.StartsWith("warn") && l.Contains("queues") && l.Contains("-p:TorchBackend=cuda"));
        }
        finally { Directory.Delete(root, true); }
    }

    [Fact]
    public async Task Unreachable_postgres_fails_naming_job_storage()
    {
        var root = RepoPaths.NewTempDir("sseg-doctor-pg");
        try
        {
            var port = ClosedPort();
            var (code, lines) = await RunAsync(new()
            {
                ["Storage:Root"] = root, ["Jobs:Storage"] = "postgres",
                ["Jobs:ConnectionString"] = $"Host=127.0.0.1;Port={port};Username=sseg;Password=sseg;Database=sseg_test",
            });
            Assert.NotEqual(0, code);
            var failed = Assert.Single(lines, l => l.StartsWith("fail"));
            Assert.Contains("job storage", failed);
            Assert.Contains($"127.0.0.1:{port}", failed);
        }
        finally { Directory.Delete(root, true); }
    }

    [Fact]
    public async Task Missing_data_root_fails()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"sseg-doctor-missing-{Guid.NewGuid():N}");
        var (code, lines) = await RunAsync(new() { ["Storage:Root"] = missing, ["Jobs:Storage"] = "sqlite" });
        Assert.NotEqual(0, code);
        Assert.Contains(lines, l => l.StartsWith("fail") && l.Contains("data root") && l.Contains(missing));
        Assert.False(Directory.Exists(missing), "doctor must not create the data root");
    }

    [Fact]
    public async Task Cpu_build_with_a_visible_gpu_warns_naming_the_build_switch()
    {
        var root = RepoPaths.NewTempDir("sseg-doctor-gpu");
        try
        {
            var fakeNode = Path.Combine(root, "nvidia0");
            File.WriteAllText(fakeNode, "");
            var (code, lines) = await RunAsync(new() { ["Storage:Root"] = root, ["Jobs:Storage"] = "sqlite" }, [fakeNode]);
            Assert.True(code == 0, string.Join("\n", lines));
            Assert.Contains(lines, l => l.StartsWith("warn") && l.Contains("cuda") && l.Contains("GPU is visible") && l.Contains("-p:TorchBackend=cuda"));
        }
        finally { Directory.Delete(root, true); }
    }

    private static async Task<(int Code, List<string> Lines)> RunAsync(Dictionary<string, string?> overrides, string[]? gpuProbePaths = null)
    {
        using var output = new StringWriter();
        // No GPU probe paths by default: the result must not depend on the machine the tests run on.
        var code = await DoctorCommand.ExecuteAsync(overrides, [], output, CancellationToken.None, gpuProbePaths ?? []);
        return (code, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList());
    }

    /// <summary>A loopback port nothing listens on: bound by the OS, then released.</summary>
    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
