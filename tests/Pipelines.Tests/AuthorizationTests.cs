using System.Net;
using System.Net.Http.Headers;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using SSeg.Pipelines.Hosting;
using SSeg.Tests.Common;
using Xunit;

namespace SSeg.Pipelines.Tests;

/// <summary>Dashboard access: local requests only by default; with credentials every page and action needs them.</summary>
public sealed class AuthorizationTests
{
    private static readonly string[] Pages = ["/hangfire", "/hangfire/sseg/run", "/hangfire/sseg/runs", "/hangfire/sseg/schedules", "/hangfire/sseg/datasets", "/hangfire/jobs/enqueued"];

    [Fact]
    public async Task Default_answers_loopback_clients_on_every_page()
    {
        await using var host = await TestHost.StartAsync(RepoPaths.NewTempDir("sseg-auth"));
        using var http = new HttpClient();
        foreach (var page in Pages)
        {
            var response = await http.GetAsync(host.BaseUrl + page);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{page}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task Default_refuses_a_client_on_another_address()
    {
        // Listen on every interface and call in through this machine's non-loopback address: not a local request.
        var address = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        Assert.True(address is not null, "This test needs a non-loopback IPv4 address on the machine (none found).");
        // The address is an allowed Host name here, so the request passes the Host check and meets the client check.
        await using var host = await TestHost.StartAsync(RepoPaths.NewTempDir("sseg-auth"),
            new Dictionary<string, string?> { ["Urls"] = "http://0.0.0.0:0", ["Dashboard:AllowedHosts:0"] = address!.ToString() });
        var port = new Uri(host.BaseUrl.Replace("0.0.0.0", "localhost")).Port;
        using var http = new HttpClient();
        foreach (var page in Pages)
        {
            var response = await http.GetAsync($"http://{address}:{port}{page}");
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
        var post = await http.PostAsync($"http://{address}:{port}/hangfire/sseg/run", Form(("stage", "ingest")));
        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        Assert.Empty(host.Runs.List());
        // The same server still answers loopback.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"http://127.0.0.1:{port}/hangfire")).StatusCode);
    }

    [Fact]
    public async Task With_credentials_every_page_and_action_requires_them()
    {
        await using var host = await TestHost.StartAsync(RepoPaths.NewTempDir("sseg-auth"),
            new Dictionary<string, string?> { ["Dashboard:Username"] = "ops", ["Dashboard:Password"] = "s3cret!" });
        using var anonymous = new HttpClient();
        foreach (var page in Pages)
        {
            var response = await anonymous.GetAsync(host.BaseUrl + page);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("Basic", response.Headers.WwwAuthenticate.ToString());
        }
        using var wrong = Client("ops", "guess");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync(host.DashboardUrl)).StatusCode);

        // An anonymous trigger (Run form post, schedule trigger, Hangfire's own requeue) is refused and starts nothing.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync(host.DashboardUrl + "/sseg/run", Form(("stage", "ingest")))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync(host.DashboardUrl + "/sseg/schedules", Form(("action", "trigger"), ("name", "x")))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync(host.DashboardUrl + "/jobs/enqueued/requeue", Form(("jobs[]", "1")))).StatusCode);
        Assert.Empty(host.Runs.List());

        using var ok = Client("ops", "s3cret!");
        foreach (var page in Pages)
            Assert.Equal(HttpStatusCode.OK, (await ok.GetAsync(host.BaseUrl + page)).StatusCode);

        // With credentials, a real form post (antiforgery token from the page) reaches validation.
        var form = await ok.GetStringAsync(host.DashboardUrl + "/sseg/run");
        var token = System.Text.RegularExpressions.Regex.Match(form, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(token);
        var posted = await ok.PostAsync(host.DashboardUrl + "/sseg/run",
            Form(("__RequestVerificationToken", token), ("stage", "ingest"), ("opt:ingest:dataset", "x"), ("opt:ingest:sources", "cc3m=/nonexistent.tsv")));
        var body = await posted.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        Assert.Contains("manifest not found: /nonexistent.tsv", body);
        Assert.Empty(host.Runs.List());
    }

    [Fact]
    public void Access_decisions_for_addresses_and_credentials()
    {
        var open = new DashboardAccess(new DashboardSettings());
        Assert.Equal(AccessDecision.Allowed, open.Decide(Request("127.0.0.1")));
        Assert.Equal(AccessDecision.Allowed, open.Decide(Request("::1")));
        Assert.Equal(AccessDecision.Allowed, open.Decide(Request("::ffff:127.0.0.1")));
        Assert.Equal(AccessDecision.Forbidden, open.Decide(Request("10.1.2.3")));
        Assert.Equal(AccessDecision.Forbidden, open.Decide(Request(null)));

        var guarded = new DashboardAccess(new DashboardSettings { Username = "ops", Password = "pw" });
        Assert.Equal(AccessDecision.Challenge, guarded.Decide(Request("127.0.0.1")));
        Assert.Equal(AccessDecision.Allowed, guarded.Decide(Request("10.1.2.3", "ops:pw")));
        Assert.Equal(AccessDecision.Challenge, guarded.Decide(Request("10.1.2.3", "ops:PW")));
        Assert.Equal(AccessDecision.Challenge, guarded.Decide(Request("10.1.2.3", "ops")));
        var garbage = Request("127.0.0.1");
        garbage.Request.Headers.Authorization = "Basic !!!notbase64";
        Assert.Equal(AccessDecision.Challenge, guarded.Decide(garbage));
    }

    private static DefaultHttpContext Request(string? remote, string? basic = null)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = remote is null ? null : IPAddress.Parse(remote);
        if (basic is not null) context.Request.Headers.Authorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(basic));
        return context;
    }

    private static HttpClient Client(string user, string password)
    {
        var client = new HttpClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return client;
    }

    private static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));
}
