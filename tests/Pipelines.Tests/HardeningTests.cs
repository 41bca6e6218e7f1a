using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using SSeg.Pipelines.Hosting;
using SSeg.Tests.Common;
using Xunit;

namespace SSeg.Pipelines.Tests;

/// <summary>Host hardening (issue 17): Host allow-list, security headers, login lockout, bind warning.</summary>
public sealed class HardeningTests
{
    [Fact]
    public async Task Unknown_host_names_get_400_and_loopback_or_configured_names_are_served()
    {
        await using var host = await TestHost.StartAsync(RepoPaths.NewTempDir("sseg-hosts"),
            new Dictionary<string, string?> { ["Dashboard:AllowedHosts:0"] = "dash.example.org" });
        var port = new Uri(host.BaseUrl).Port;
        using var http = new HttpClient();
        async Task<HttpStatusCode> Get(string hostHeader, string path = "/hangfire")
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, host.BaseUrl + path);
            request.Headers.Host = hostHeader;
            return (await http.SendAsync(request)).StatusCode;
        }
        Assert.Equal(HttpStatusCode.BadRequest, await Get("evil.example"));
        Assert.Equal(HttpStatusCode.BadRequest, await Get($"evil.example:{port}"));
        Assert.Equal(HttpStatusCode.BadRequest, await Get($"evil.example:{port}", "/hangfire/sseg/runs"));
        Assert.Equal(HttpStatusCode.OK, await Get($"127.0.0.1:{port}"));
        Assert.Equal(HttpStatusCode.OK, await Get($"localhost:{port}"));
        Assert.Equal(HttpStatusCode.OK, await Get($"[::1]:{port}"));
        Assert.Equal(HttpStatusCode.OK, await Get($"DASH.example.org:{port}"));
    }

    [Fact]
    public void Host_allow_list_decisions()
    {
        var list = new HostAllowList(["dash.lan:8443", "10.0.0.5"]);
        Assert.True(list.IsAllowed(new("localhost")));
        Assert.True(list.IsAllowed(new("127.0.0.1:5000")));
        Assert.True(list.IsAllowed(new("[::1]:5000")));
        Assert.True(list.IsAllowed(new("dash.lan")));
        Assert.True(list.IsAllowed(new("10.0.0.5:5000")));
        Assert.False(list.IsAllowed(new("evil.example")));
        Assert.False(list.IsAllowed(new("127.0.0.1.evil.example")));
        Assert.False(list.IsAllowed(default));
        Assert.True(new HostAllowList(["*"]).IsAllowed(new("anything.example")));
    }

    [Fact]
    public async Task Dashboard_pages_carry_the_security_headers()
    {
        await using var host = await TestHost.StartAsync(RepoPaths.NewTempDir("sseg-headers"));
        using var http = new HttpClient();
        foreach (var page in new[] { "/hangfire", "/hangfire/sseg/runs", "/hangfire/jobs/enqueued" })
        {
            var response = await http.GetAsync(host.BaseUrl + page);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
            Assert.Equal("DENY", Header(response, "X-Frame-Options"));
            Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
            Assert.Contains("frame-ancestors 'none'", Header(response, "Content-Security-Policy"));
        }
    }

    [Fact]
    public async Task Repeated_wrong_passwords_lock_the_client_out_until_the_lockout_expires()
    {
        await using var host = await TestHost.StartAsync(RepoPaths.NewTempDir("sseg-lockout"), new Dictionary<string, string?>
        {
            ["Dashboard:Username"] = "ops", ["Dashboard:Password"] = "s3cret!",
            ["Dashboard:LoginLockout:FailuresBeforeLockout"] = "3", ["Dashboard:LoginLockout:LockoutSeconds"] = "1",
            ["Dashboard:LoginLockout:MaxLockoutSeconds"] = "2",
        });
        using var wrong = Client("ops", "guess");
        using var right = Client("ops", "s3cret!");
        // A request without credentials (a browser's first) does not count as a failure.
        using (var anonymous = new HttpClient())
            for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(host.DashboardUrl)).StatusCode);
        for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync(host.DashboardUrl)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await right.GetAsync(host.DashboardUrl)).StatusCode);   // success resets the count

        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync(host.DashboardUrl)).StatusCode);
        var locked = await wrong.GetAsync(host.DashboardUrl);
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.NotNull(locked.Headers.RetryAfter);
        // While locked out even the right password is refused (it is not checked at all).
        Assert.Equal(HttpStatusCode.TooManyRequests, (await right.GetAsync(host.DashboardUrl)).StatusCode);

        var clock = Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            await Task.Delay(200);
            status = (await right.GetAsync(host.DashboardUrl)).StatusCode;
        } while (status == HttpStatusCode.TooManyRequests && clock.Elapsed < TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Lockout_doubles_up_to_the_cap_per_address_and_resets_on_success()
    {
        var clock = new ManualClock();
        var throttle = new LoginThrottle(new LoginLockoutSettings { FailuresBeforeLockout = 2, LockoutSeconds = 10, MaxLockoutSeconds = 35, MaxTrackedClients = 3 }, clock);
        var a = IPAddress.Parse("10.0.0.1");
        var b = IPAddress.Parse("10.0.0.2");
        throttle.Failed(a);
        Assert.Equal(TimeSpan.Zero, throttle.LockedFor(a));
        throttle.Failed(a);
        Assert.Equal(TimeSpan.FromSeconds(10), throttle.LockedFor(a));
        Assert.Equal(TimeSpan.Zero, throttle.LockedFor(b));   // another client is not affected
        throttle.Failed(a);
        Assert.Equal(TimeSpan.FromSeconds(20), throttle.LockedFor(a));
        throttle.Failed(a);
        Assert.Equal(TimeSpan.FromSeconds(35), throttle.LockedFor(a));   // capped
        clock.Advance(TimeSpan.FromSeconds(36));
        Assert.Equal(TimeSpan.Zero, throttle.LockedFor(a));
        throttle.Succeeded(a);
        throttle.Failed(a);
        Assert.Equal(TimeSpan.Zero, throttle.LockedFor(a));   // count restarted

        // Bounded memory: a flood of fresh addresses stops at the cap; stale entries are forgotten to make room.
        for (var i = 0; i < 10; i++) throttle.Failed(IPAddress.Parse($"10.1.0.{i}"));
        Assert.Equal(3, throttle.TrackedClients);
        clock.Advance(TimeSpan.FromSeconds(100));
        throttle.Failed(b);
        Assert.Equal(1, throttle.TrackedClients);
    }

    [Theory]
    [InlineData("http://0.0.0.0:5000", true)]
    [InlineData("http://*:5000", true)]
    [InlineData("http://+:5000", true)]
    [InlineData("http://[::]:5000", true)]
    [InlineData("http://192.168.1.20:5000", true)]
    [InlineData("http://127.0.0.1:5000;https://10.0.0.5:5001", true)]
    [InlineData("http://127.0.0.1:5000", false)]
    [InlineData("http://localhost:5000", false)]
    [InlineData("http://[::1]:5000;http://127.0.0.1:0", false)]
    public void Bind_warning_for_non_loopback_urls_without_credentials(string urls, bool warns)
    {
        var warning = BindWarning.For(urls, hasCredentials: false);
        if (!warns)
        {
            Assert.Null(warning);
            return;
        }
        Assert.NotNull(warning);
        Assert.Contains("non-loopback", warning);
        Assert.Contains("Dashboard:Username", warning);
        Assert.Null(BindWarning.For(urls, hasCredentials: true));
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values)
        : response.Content.Headers.TryGetValues(name, out values) ? string.Join(",", values) : "";

    private static HttpClient Client(string user, string password)
    {
        var client = new HttpClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return client;
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => _now;
        public void Advance(TimeSpan by) => _now += by;
    }
}
