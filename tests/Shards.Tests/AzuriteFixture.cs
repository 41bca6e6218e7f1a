using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Sas;
using SSeg.Tests.Common;

namespace SSeg.Shards.Tests;

/// <summary>
/// Starts Azurite's blob service on a free loopback port for the tests (in-memory, no telemetry) and stops it
/// afterwards. The binary comes from SSEG_AZURITE_BIN (test.sh sets it) or .ci/node under the repository.
/// A missing Azurite fails the tests with instructions: the Blob backend must be tested, not skipped.
/// </summary>
public sealed class AzuriteFixture : IDisposable
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private readonly Process _process;
    private readonly List<string> _output = [];

    public AzuriteFixture()
    {
        var bin = FindBinary();
        Port = FreePort();
        var start = new ProcessStartInfo(bin)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = RepoPaths.NewTempDir("sseg-azurite"),
        };
        foreach (var arg in new[] { "--blobHost", "127.0.0.1", "--blobPort", Port.ToString(), "--inMemoryPersistence",
                                    "--disableTelemetry", "--skipApiVersionCheck", "--loose" })
            start.ArgumentList.Add(arg);
        _process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {bin}.");
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.Add(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.Add(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        WaitUntilListening();
        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
                           $"BlobEndpoint=http://127.0.0.1:{Port}/devstoreaccount1;";
    }

    public int Port { get; }

    /// <summary>Explicit connection string for this instance's port.</summary>
    public string ConnectionString { get; }

    /// <summary>
    /// A connection string that may read and list but not write or delete (an account SAS), like the read-only
    /// credentials a dashboard host may be given.
    /// </summary>
    public string ReadOnlyConnectionString()
    {
        var sas = new AccountSasBuilder(AccountSasPermissions.Read | AccountSasPermissions.List, DateTimeOffset.UtcNow.AddHours(1),
                AccountSasServices.Blobs, AccountSasResourceTypes.All)
            .ToSasQueryParameters(new StorageSharedKeyCredential("devstoreaccount1", AccountKey));
        return $"BlobEndpoint=http://127.0.0.1:{Port}/devstoreaccount1;SharedAccessSignature={sas}";
    }

    /// <summary>
    /// Deletes every container. Called when each test of the collection ends (<see cref="AzuriteTestRoots"/>; they run one at a time):
    /// Azurite's in-memory store scans every blob of the account on each request, so blobs left by earlier tests
    /// would slow every later one, by minutes over the whole collection.
    /// </summary>
    public void DeleteContainers()
    {
        var service = new BlobServiceClient(ConnectionString);
        foreach (var container in service.GetBlobContainers()) service.DeleteBlobContainer(container.Name);
    }

    /// <summary>A root URI in a fresh container, so tests never see each other's objects.</summary>
    public string NewRootUri(string prefix = "root") => $"az://t{Guid.NewGuid():N}/{prefix}";

    private static string FindBinary()
    {
        var fromEnv = Environment.GetEnvironmentVariable("SSEG_AZURITE_BIN");
        if (!string.IsNullOrWhiteSpace(fromEnv))
        {
            if (File.Exists(fromEnv)) return fromEnv;
            throw new InvalidOperationException($"SSEG_AZURITE_BIN={fromEnv} does not exist.");
        }
        var local = Path.Combine(RepoPaths.Root, ".ci", "node", "node_modules", ".bin", "azurite-blob");
        if (File.Exists(local)) return local;
        throw new InvalidOperationException(
            "Azurite is needed for the Azure Blob storage tests and was not found. Run test.sh (it installs it), or: " +
            "mkdir -p .ci/node && cp .ci/package.json .ci/node/ && (cd .ci/node && npm install), " +
            "or set SSEG_AZURITE_BIN to an azurite-blob executable.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void WaitUntilListening()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"Azurite exited with code {_process.ExitCode}: {string.Join('\n', _output)}");
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) { Thread.Sleep(100); }
        }
        throw new TimeoutException($"Azurite did not listen on port {Port} within 60 s: {string.Join('\n', _output)}");
    }

    public void Dispose()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { /* already gone */ }
        _process.WaitForExit(10_000);
        _process.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
