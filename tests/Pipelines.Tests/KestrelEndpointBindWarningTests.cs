using Microsoft.Extensions.Configuration;
using SSeg.Pipelines.Hosting;

namespace SSeg.Pipelines.Tests;

/// <summary>The bind warning also reads Kestrel:Endpoints, which replace Urls when configured (issue 17 item 3).</summary>
public sealed class KestrelEndpointBindWarningTests
{
    private static string? Warning(Dictionary<string, string?> config, string urls = "http://127.0.0.1:5000", bool credentials = false)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(config).Build();
        return BindWarning.For(BindWarning.ListenUrls(configuration, urls), credentials);
    }

    [Fact]
    public void A_non_loopback_endpoint_without_credentials_is_warned_about()
    {
        var warning = Warning(new() { ["Kestrel:Endpoints:Https:Url"] = "https://0.0.0.0:5443", ["Kestrel:Endpoints:Local:Url"] = "http://127.0.0.1:5000" });
        Assert.NotNull(warning);
        Assert.Contains("(https://0.0.0.0:5443)", warning); // the loopback endpoint is not listed
    }

    [Fact]
    public void Loopback_endpoints_credentials_or_no_endpoints_give_no_warning()
    {
        Assert.Null(Warning(new() { ["Kestrel:Endpoints:Http:Url"] = "http://localhost:5000" }, urls: "http://0.0.0.0:5000")); // Urls are overridden
        Assert.Null(Warning(new() { ["Kestrel:Endpoints:Http:Url"] = "http://[::]:5000" }, credentials: true));
        Assert.Null(Warning(new()));
        Assert.NotNull(Warning(new(), urls: "http://+:5000"));
    }
}
