using System.Net;
using System.Net.Sockets;
using SSeg.Ingest.Download;

namespace SSeg.Ingest.Tests;

public sealed class DownloaderTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private FaultServer Server => fixture.Server;

    private async Task<DownloadResult> Get(string path, DownloadOptions? options = null)
    {
        using var d = new ImageDownloader(options ?? ServerFixture.FastOptions);
        return await d.DownloadAsync(path.StartsWith("http") ? path : Server.Url(path), CancellationToken.None);
    }

    [Fact]
    public async Task Photo_is_downloaded_byte_for_byte()
    {
        var r = await Get("/photos/openimages-ibm/" + Path.GetFileName(FaultServer.SamplePhoto));
        Assert.True(r.Ok, r.Detail);
        Assert.Equal(await File.ReadAllBytesAsync(FaultServer.SamplePhoto), r.Body);
        Assert.Equal("image/jpeg", r.ContentType);
    }

    [Theory]
    [InlineData(404)]
    [InlineData(403)]
    [InlineData(410)]
    public async Task Permanent_http_errors_fail_without_retry(int status)
    {
        var path = $"/status/{status}";
        var before = Server.Hits(path);
        var r = await Get(path);
        Assert.Equal($"http_{status}", r.FailureReason);
        Assert.Equal(1, Server.Hits(path) - before);
        Assert.Equal(1, r.Attempts);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(503)]
    public async Task Transient_status_is_retried_then_succeeds(int status)
    {
        var path = $"/flaky/dl-{status}/{status}";
        var r = await Get(path);
        Assert.True(r.Ok, r.Detail);
        Assert.Equal(2, r.Attempts);
        Assert.Equal(2, Server.Hits(path));
    }

    [Fact]
    public async Task Persistent_5xx_gives_up_after_the_retries()
    {
        var r = await Get("/status/502");
        Assert.Equal("http_502", r.FailureReason);
        Assert.Equal(3, r.Attempts);
    }

    [Fact]
    public async Task Slow_headers_hit_the_deadline()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var r = await Get("/slow-headers");
        Assert.Equal("timeout", r.FailureReason);
        Assert.InRange(clock.Elapsed.TotalSeconds, 1.5, 6);
    }

    [Fact]
    public async Task A_body_that_drips_past_the_deadline_times_out()
    {
        // Headers arrive at once; the body trickles 100 B/s. The one deadline covers the body too.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var r = await Get("/drip");
        Assert.Equal("timeout", r.FailureReason);
        Assert.InRange(clock.Elapsed.TotalSeconds, 1.5, 6);
    }

    [Fact]
    public async Task Reset_mid_body_is_a_connection_failure()
    {
        var r = await Get("/reset");
        Assert.False(r.Ok);
        Assert.Contains(r.FailureReason, new[] { "connection_reset", "network" });
    }

    [Fact]
    public async Task Html_page_is_not_an_image()
    {
        var r = await Get("/html");
        Assert.Equal("not_image", r.FailureReason);
    }

    [Fact]
    public async Task Empty_body_fails()
    {
        var r = await Get("/empty");
        Assert.Equal("empty_body", r.FailureReason);
    }

    [Theory]
    [InlineData("/big/declared")]
    [InlineData("/big/chunked")]
    public async Task Bodies_over_the_cap_fail_while_streaming(string path)
    {
        var r = await Get(path);
        Assert.Equal("too_large", r.FailureReason);
    }

    [Fact]
    public async Task Redirect_loop_is_detected()
    {
        var r = await Get("/loop/a");
        Assert.Equal("redirect_loop", r.FailureReason);
    }

    [Fact]
    public async Task Five_redirects_are_followed_six_are_not()
    {
        Assert.True((await Get("/chain/5")).Ok);
        Assert.Equal("too_many_redirects", (await Get("/chain/6")).FailureReason);
    }

    [Fact]
    public async Task Guard_blocks_loopback_and_private_targets()
    {
        var guarded = ServerFixture.FastOptions with { AllowPrivateAddresses = false };
        Assert.Equal("blocked_address", (await Get(Server.Url("/photos/x.jpg"), guarded)).FailureReason);
        Assert.Equal("blocked_address", (await Get("http://localhost:1/x.jpg", guarded)).FailureReason);
        Assert.Equal("blocked_address", (await Get("http://169.254.169.254/latest/meta-data/", guarded)).FailureReason);
        Assert.Equal("blocked_address", (await Get("http://10.1.2.3/a.jpg", guarded)).FailureReason);
    }

    [Fact]
    public async Task Redirect_to_a_blocked_address_is_refused_with_the_guard_on()
    {
        // The test server itself is exempted; the redirect targets are not.
        var guarded = ServerFixture.FastOptions with
        {
            AllowPrivateAddresses = false,
            GuardExemptEndpoints = new HashSet<string> { $"127.0.0.1:{Server.Port}" },
        };
        Assert.True((await Get("/chain/1", guarded)).Ok);
        var toMetadata = "/redirect-to?url=" + Uri.EscapeDataString("http://169.254.169.254/latest/meta-data/");
        Assert.Equal("blocked_address", (await Get(toMetadata, guarded)).FailureReason);
        var toOtherLocalPort = "/redirect-to?url=" + Uri.EscapeDataString("http://127.0.0.1:9/secret");
        Assert.Equal("blocked_address", (await Get(toOtherLocalPort, guarded)).FailureReason);
    }

    [Theory]
    [InlineData("noai", "opt_out")]
    [InlineData("agent", "opt_out")]
    [InlineData("otherbot", null)]
    [InlineData("other", null)]
    public async Task X_Robots_Tag_opt_outs_are_respected(string variant, string? expected)
    {
        var r = await Get($"/robots/{variant}");
        Assert.Equal(expected, r.FailureReason);
        var ignoring = await Get($"/robots/{variant}", ServerFixture.FastOptions with { RespectOptOut = false });
        Assert.True(ignoring.Ok);
    }

    [Fact]
    public async Task Redirect_to_removed_png_is_a_placeholder()
    {
        var r = await Get("/imgur/abc123.jpg");
        Assert.Equal("placeholder", r.FailureReason);
    }

    [Fact]
    public async Task Refused_connection_is_a_connect_failure_after_retries()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var r = await Get($"http://127.0.0.1:{port}/x.jpg");
        Assert.Equal("connect", r.FailureReason);
        Assert.Equal(3, r.Attempts);
    }

    [Fact]
    public async Task Unknown_host_is_a_dns_failure()
    {
        var r = await Get("http://no-such-host.invalid/x.jpg");
        Assert.Equal("dns", r.FailureReason);
    }

    [Fact]
    public async Task Per_host_minimum_interval_spaces_requests()
    {
        var options = ServerFixture.FastOptions with { PerHostMinInterval = TimeSpan.FromMilliseconds(300) };
        using var d = new ImageDownloader(options);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => d.DownloadAsync(Server.Url("/status/404"), CancellationToken.None)));
        Assert.All(results, r => Assert.Equal("http_404", r.FailureReason));
        Assert.True(clock.Elapsed.TotalMilliseconds >= 850, $"4 requests took {clock.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public void Robots_tag_parser_handles_agent_prefixes()
    {
        string[] directives = ["noai", "noimageai", "noindex", "noimageindex"];
        Assert.NotNull(RobotsTag.FindOptOut(["noindex, nofollow"], "sseg-ingest", directives));
        Assert.NotNull(RobotsTag.FindOptOut(["*: noimageindex"], "sseg-ingest", directives));
        Assert.Null(RobotsTag.FindOptOut(["googlebot: noindex"], "sseg-ingest", directives));
        Assert.Null(RobotsTag.FindOptOut(["unavailable_after: 25 Jun 2010 15:00:00 PST"], "sseg-ingest", directives));
        Assert.Null(RobotsTag.FindOptOut(["noarchive"], "sseg-ingest", directives));
    }
}
