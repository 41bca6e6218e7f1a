using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SSeg.Pipelines.Bench;

/// <summary>
/// Azurite's blob service for `bench shards --commits` (loopback, a free port): from $SSEG_AZURITE_BIN or the copy
/// test.sh installs under .ci/node. Stopped on dispose. Its default metadata store (LokiJS, in memory) scans every blob
/// of an account for each request, so every request slows as blobs accumulate; with Azurite's own <c>AZURITE_DB</c>
/// set (a MySQL/MariaDB URI) it keeps metadata in that indexed database instead, which is closer to the real service.
/// </summary>
internal sealed class BenchAzurite : IDisposable
{
    // Azurite's documented development account key (public; it opens nothing but a local emulator).
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private readonly Process _process;

    private readonly string? _location;

    private BenchAzurite(Process process, int port, string? location)
    {
        _process = process;
        _location = location;
        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
                           $"BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
    }

    public string ConnectionString { get; }

    /// <summary>Which metadata store the emulator runs with, for the bench's report.</summary>
    public static string MetadataStore => !UsesSqlMetadata ? "LokiJS in memory (scans all blobs per request)" : "SQL via AZURITE_DB " +
        "(it takes no appends, so the journal files one object per commit and each poll lists the last hour's entries)";

    /// <summary>True when Azurite's own <c>AZURITE_DB</c> is set.</summary>
    public static bool UsesSqlMetadata => SqlMetadata is not null;

    private static string? SqlMetadata => Environment.GetEnvironmentVariable("AZURITE_DB") is { Length: > 0 } uri ? uri : null;

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
        foreach (var arg in new[] { "--blobHost", "127.0.0.1", "--blobPort", port.ToString(), "--disableTelemetry", "--skipApiVersionCheck", "--loose" })
            start.ArgumentList.Add(arg);
        // Azurite refuses in-memory persistence with SQL metadata; blob contents then go to a scratch folder.
        string? location = null;
        if (SqlMetadata is null) start.ArgumentList.Add("--inMemoryPersistence");
        else
        {
            location = Directory.CreateTempSubdirectory("sseg-bench-azurite-").FullName;
            start.ArgumentList.Add("--location");
            start.ArgumentList.Add(location);
        }
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
                return new BenchAzurite(process, port, location);
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
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException) { /* already exited */ }
        _process.Dispose();
        if (_location is not null && Directory.Exists(_location)) Directory.Delete(_location, recursive: true);
    }
}
