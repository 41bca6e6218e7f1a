using SSeg.Ingest.Download;

namespace SSeg.Ingest.Tests;

/// <summary>One fault server shared by the tests of a class.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public FaultServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await FaultServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>Short deadlines and backoff so the fault catalogue runs in seconds; loopback allowed.</summary>
    public static DownloadOptions FastOptions => new()
    {
        Timeout = TimeSpan.FromSeconds(2),
        RetryBaseDelay = TimeSpan.FromMilliseconds(50),
        MaxRetryDelay = TimeSpan.FromMilliseconds(200),
        MaxRetries = 2,
        AllowPrivateAddresses = true,
        PerHostConcurrency = 64,
    };
}
