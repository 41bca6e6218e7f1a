using Microsoft.Playwright;
using SSeg.Tests.Common;
using Xunit;

namespace SSeg.Pipelines.Tests;

/// <summary>
/// The Run form's fields come from the option declarations (issue 17 item 4): booleans are checkboxes, numbers are number
/// inputs with the declared range, and a refused value is shown by its field with the reason while nothing is enqueued.
/// Screenshot: test-results/pipelines-run-form/.
/// </summary>
public sealed class RunFormBrowserTests
{
    [Fact]
    public async Task Run_form_renders_checkboxes_and_ranges_and_refuses_a_negative_download_concurrency_by_its_field()
    {
        var shots = RepoPaths.Artifacts("pipelines-run-form");
        await using var host = await TestHost.StartAsync(RepoPaths.NewTempDir("sseg-run-form"));
        var manifests = host.WriteSample(4);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(Chromium.LaunchOptions());
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 1800 } });
        await page.GotoAsync(host.DashboardUrl + "/sseg/run");
        await page.SelectOptionAsync("#stage", "ingest");

        var allowPrivate = page.Locator("#opt-ingest-allowPrivateAddresses");
        await Assertions.Expect(allowPrivate).ToHaveAttributeAsync("type", "checkbox");
        await Assertions.Expect(allowPrivate).Not.ToBeCheckedAsync();
        await Assertions.Expect(page.Locator("#opt-ingest-retryFailed")).ToHaveAttributeAsync("type", "checkbox");
        var concurrency = page.Locator("#opt-ingest-downloadConcurrency");
        await Assertions.Expect(concurrency).ToHaveAttributeAsync("type", "number");
        await Assertions.Expect(concurrency).ToHaveAttributeAsync("min", "1");
        await Assertions.Expect(concurrency).ToHaveAttributeAsync("max", "4096");
        await Assertions.Expect(concurrency).ToHaveAttributeAsync("step", "1");
        await Assertions.Expect(page.Locator("#opt-ingest-timeoutSeconds")).ToHaveAttributeAsync("step", "any");
        await Assertions.Expect(page.Locator("[data-option=downloadConcurrency] .option-range")).ToContainTextAsync("1 to 4096; default 96");
        Assert.Equal("SELECT", await page.Locator("#opt-ingest-resizeMode").EvaluateAsync<string>("e => e.tagName"));
        // The other stages' booleans and numbers are derived the same way.
        await Assertions.Expect(page.Locator("#opt-train-skipBadShards")).ToHaveAttributeAsync("type", "checkbox");
        await Assertions.Expect(page.Locator("#opt-train-learningRate")).ToHaveAttributeAsync("min", "1E-09");

        await page.FillAsync("#opt-ingest-dataset", "form-ranges");
        await page.FillAsync("#opt-ingest-sources", string.Join("\n", manifests.SourceLines));
        await allowPrivate.CheckAsync();
        await concurrency.FillAsync("-1");
        await page.ClickAsync("#start");

        var reason = page.Locator("#opt-ingest-downloadConcurrency-error");
        await Assertions.Expect(reason).ToHaveTextAsync("option 'downloadConcurrency' must be an integer from 1 to 4096, got '-1'");
        await Assertions.Expect(page.Locator("[data-option=downloadConcurrency]")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("has-error"));
        await Assertions.Expect(concurrency).ToHaveValueAsync("-1");
        await Assertions.Expect(allowPrivate).ToBeCheckedAsync(); // the rest of the form is kept
        await Assertions.Expect(page.Locator("#run-started")).ToHaveCountAsync(0);
        await reason.ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "01-download-concurrency-refused.png"), FullPage = true });
        Assert.Empty(host.Runs.List());
    }
}
