using Microsoft.Playwright;
using SSeg.Models;
using SSeg.Tests.Common;

namespace SSeg.Pipelines.Tests;

/// <summary>
/// The Hosts page in Debian's Chromium (issue 16 item 3): each host that started on the job storage with its torch
/// backend and device, alive or gone. Screenshot: test-results/pipelines-hosts/.
/// </summary>
public sealed class HostsPageBrowserTests
{
    [Fact]
    public async Task Hosts_page_shows_each_hosts_backend_and_device()
    {
        var shots = RepoPaths.Artifacts("pipelines-hosts");
        var root = RepoPaths.NewTempDir("sseg-hosts");
        await (await TestHost.StartAsync(root, new Dictionary<string, string?> { ["Jobs:ServerName"] = "earlier-host" })).DisposeAsync();
        await using var host = await TestHost.StartAsync(root, new Dictionary<string, string?> { ["Jobs:ServerName"] = "gpu-box-1", ["Jobs:Queues"] = "gpu" });

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(Chromium.LaunchOptions());
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 600 } });
        await page.GotoAsync(host.DashboardUrl);
        await page.GetByRole(AriaRole.Link, new() { Name = "Hosts", Exact = true }).ClickAsync();
        var current = page.Locator($"#hosts tr[data-host='gpu-box-1:{Environment.ProcessId}']");
        await Assertions.Expect(current.Locator(".host-backend")).ToHaveTextAsync(TorchBackendInfo.Compiled);
        await Assertions.Expect(current.Locator(".host-device")).ToContainTextAsync(TorchBackendInfo.IsCuda ? "cuda" : "cpu");
        await Assertions.Expect(current).ToContainTextAsync("alive");
        await Assertions.Expect(current).ToContainTextAsync("gpu");
        await Assertions.Expect(page.Locator($"#hosts tr[data-host='earlier-host:{Environment.ProcessId}']")).ToContainTextAsync("gone");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "01-hosts.png"), FullPage = true });
    }
}
