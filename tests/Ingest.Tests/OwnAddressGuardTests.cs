using SSeg.Ingest.Download;

namespace SSeg.Ingest.Tests;

/// <summary>
/// The guard against this machine's own interface address, over real HTTP: a server bound to that address must
/// never see a connection while the guard is on, and must serve normally with the guard off (so zero means
/// refused, not unreachable).
/// </summary>
public sealed class OwnAddressGuardTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static DownloadOptions Guarded => ServerFixture.FastOptions with { AllowPrivateAddresses = false };

    private static string PhotoPath => "/photos/openimages-ibm/" + Path.GetFileName(FaultServer.SamplePhoto);

    private static async Task<DownloadResult> Get(string url, DownloadOptions options)
    {
        using var d = new ImageDownloader(options);
        return await d.DownloadAsync(url, CancellationToken.None);
    }

    [OwnAddressFact]
    public async Task A_server_on_this_machines_own_address_is_refused_before_it_sees_a_connection()
    {
        await using var own = await FaultServer.StartAsync(OwnAddress.Find());

        var refused = await Get(own.Url(PhotoPath), Guarded);
        Assert.Equal(FailureReasons.BlockedAddress, refused.FailureReason);
        Assert.Contains("this host's own address", refused.Detail);
        Assert.Equal(0, own.Connections);
        Assert.Equal(0, own.Hits(PhotoPath));

        // The opt-out the demo and the tests use still reaches it: the server was there all along.
        var allowed = await Get(own.Url(PhotoPath), ServerFixture.FastOptions);
        Assert.True(allowed.Ok, allowed.Detail);
        Assert.Equal(1, own.Hits(PhotoPath));
    }

    [OwnAddressFact]
    public async Task A_redirect_to_this_machines_own_address_is_refused()
    {
        await using var own = await FaultServer.StartAsync(OwnAddress.Find());
        var options = Guarded with { GuardExemptEndpoints = new HashSet<string> { $"127.0.0.1:{fixture.Server.Port}" } };

        var r = await Get(fixture.Server.Url("/redirect-to?url=" + Uri.EscapeDataString(own.Url(PhotoPath))), options);
        Assert.Equal(FailureReasons.BlockedAddress, r.FailureReason);
        Assert.Equal(0, own.Connections);
    }

    [LoopbackNameFact]
    public async Task A_name_is_checked_on_the_address_it_resolves_to_and_connected_there_only_when_allowed()
    {
        // The URL names a host, not an address: only the connect step's lookup can refuse it.
        var url = $"http://{LoopbackName.Find()}:{fixture.Server.Port}{PhotoPath}";
        var before = fixture.Server.Connections;

        var refused = await Get(url, Guarded);
        Assert.Equal(FailureReasons.BlockedAddress, refused.FailureReason);
        Assert.Contains("127.", refused.Detail);
        Assert.Equal(before, fixture.Server.Connections);

        var allowed = await Get(url, ServerFixture.FastOptions);
        Assert.True(allowed.Ok, allowed.Detail);
    }
}
