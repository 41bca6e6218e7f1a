using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SSeg.Pipelines.Bench;

/// <summary>
/// Azurite's blob service for `bench shards --commits` (in memory, loopback, a free port): from $SSEG_AZURITE_BIN or
/// the copy test.sh installs under .ci/node. Stopped on dispose.
/// </summary>
internal sealed class BenchAzurite : IDisposable
{
    // Azurite's documented development account key (public; it opens nothing but a local emulator).
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private readonly Process _process;

    private BenchAzurite(Process process, int port)
    {
        _process = process;
        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
                           $"BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
    }

    public string ConnectionString { get; }

    public static async Task<BenchAzurite> StartAsync(CancellationToken ct)
    {
        var bin = FindBinary();
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var start = new ProcessStartInfo(bin) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        foreach (var arg in new[] { "--blobHost", "127.0.0.1", "--blobPort", port.ToString(), "--inMemoryPersistence", "--disableTelemetry", "--skipApiVersionCheck", "--loose" })
            start.ArgumentList.Add(arg);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {bin}.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        for (var i = 0; i < 600; i++)
        {
            if (process.HasExited) throw new InvalidOperationException($"Azurite ({bin}) exited with code {process.ExitCode}.");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, ct);
                return new BenchAzurite(process, port);
            }
            catch (SocketException) { await Task.Delay(100, ct); }
        }
        process.Kill(entireProcessTree: true);
        throw new TimeoutException($"Azurite did not listen on port {port} within 60 s.");
    }

    private static string FindBinary()
    {
        var fromEnv = Environment.GetEnvironmentVariable("SSEG_AZURITE_BIN");
        if (!string.IsNullOrWhiteSpace(fromEnv)) return File.Exists(fromEnv) ? fromEnv : throw new FileNotFoundException($"SSEG_AZURITE_BIN={fromEnv} does not exist.");
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            foreach (var repo in new[] { d.FullName, Directory.GetCurrentDirectory() })
            {
                var candidate = Path.Combine(repo, ".ci", "node", "node_modules", ".bin", "azurite-blob");
                if (File.Exists(candidate)) return candidate;
            }
        throw new FileNotFoundException("Azurite not found: set SSEG_AZURITE_BIN to azurite-blob (test.sh installs it under .ci/node), or pass --backends local.");
    }

    public void Dispose()
    {
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { /* already exited */ }
        _process.Dispose();
    }
}
