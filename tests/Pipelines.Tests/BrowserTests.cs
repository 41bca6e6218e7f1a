using Microsoft.Playwright;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Pipelines.Runs;
using SSeg.Shards;
using SSeg.Tests.Common;
using Xunit;

namespace SSeg.Pipelines.Tests;

/// <summary>
/// Debian's chromium driven by Playwright: open the dashboard, start ingest on the sample from the Run page,
/// watch the run succeed, browse the dataset's thumbnails with their masks. Screenshots: test-results/pipelines-browser/.
/// </summary>
public sealed class BrowserTests
{
    [Fact]
    public async Task Run_page_starts_ingest_and_datasets_page_shows_thumbnails_with_masks()
    {
        var shots = RepoPaths.Artifacts("pipelines-browser");
        var root = RepoPaths.NewTempDir("sseg-browser");
        await using var host = await TestHost.StartAsync(root);
        var manifests = host.WriteSample(12);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(Chromium.LaunchOptions());
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });

        await page.GotoAsync(host.DashboardUrl);
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync("S-Seg pipelines");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "01-dashboard.png") });

        // Run page: a bad manifest path is refused with the validation error and starts nothing.
        await page.GetByRole(AriaRole.Link, new() { Name = "Run", Exact = true }).ClickAsync();
        await page.SelectOptionAsync("#stage", "ingest");
        await page.FillAsync("#opt-ingest-dataset", "browser-shapes");
        await page.FillAsync("#opt-ingest-sources", "cc3m=" + Path.Combine(root, "missing.tsv"));
        await page.FillAsync("#opt-ingest-shardSize", "8");
        await page.CheckAsync("#opt-ingest-allowPrivateAddresses");
        await page.ClickAsync("#start");
        await Assertions.Expect(page.Locator(".validation-errors")).ToContainTextAsync("manifest not found");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "02-run-form-validation.png") });
        Assert.Empty(host.Runs.List());

        // A report name that climbs out of the data root is refused with the reason (issue 17).
        await page.SelectOptionAsync("#stage", "eval");
        await page.FillAsync("#opt-eval-run", "../../../traversal-report");
        await page.ClickAsync("#start");
        await Assertions.Expect(page.Locator(".validation-errors")).ToContainTextAsync("option 'run' must be a name");
        Assert.Empty(host.Runs.List());
        await page.SelectOptionAsync("#stage", "ingest");

        // Then the real sample manifests (the form keeps the other values).
        await page.FillAsync("#opt-ingest-sources", string.Join("\n", manifests.SourceLines));
        await page.FillAsync("#opt-ingest-imageSize", "128");
        await page.ClickAsync("#start");
        await Assertions.Expect(page.Locator("#run-started")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "03-run-started.png") });
        await page.GetByText("Watch its progress").ClickAsync();
        await Assertions.Expect(page.Locator("#run-status")).ToHaveTextAsync(RunStatus.Succeeded, new() { Timeout = 120_000 });
        await Assertions.Expect(page.Locator(".stage-summary")).ToContainTextAsync("12 rows");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "04-run-succeeded.png"), FullPage = true });

        await AddMasksAsync(root, "browser-shapes");
        var firstShardRows = (int)(await DatasetStore.Open(root).Dataset("browser-shapes").GetManifestAsync()).ImageShards[0].Rows;
        Assert.True(firstShardRows > 0);

        await page.GetByRole(AriaRole.Link, new() { Name = "Datasets", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#datasets")).ToContainTextAsync("browser-shapes");
        await Assertions.Expect(page.Locator("#datasets")).ToContainTextAsync("http_404: 1");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "05-datasets.png") });
        await page.GetByRole(AriaRole.Link, new() { Name = "browser-shapes" }).ClickAsync();
        var thumbnails = page.Locator("img.sample-image");
        var masks = page.Locator("img.sample-mask");
        await Assertions.Expect(thumbnails).ToHaveCountAsync(firstShardRows);
        await Assertions.Expect(masks).ToHaveCountAsync(firstShardRows);
        await BrowserImages.AssertAllDecodedAsync(masks, "a mask overlay did not decode in the browser");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "06-dataset-rows-with-masks.png"), FullPage = true });

        // Search by caption word and paging.
        await page.FillAsync("#search input[name=q]", "circle");
        await page.ClickAsync("#search button");
        await Assertions.Expect(page.Locator(".sample-caption").First).ToContainTextAsync("circle");
        foreach (var caption in await page.Locator(".sample-caption").AllTextContentsAsync())
            Assert.Contains("circle", caption);
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "07-search-circle.png"), FullPage = true });
    }

    /// <summary>Mask shards for every image shard (a vertical-split cluster map), so the page has masks to overlay.</summary>
    private static async Task AddMasksAsync(string root, string name)
    {
        var dataset = DatasetStore.Open(root).Dataset(name);
        var manifest = await dataset.GetManifestAsync();
        var generator = new MaskGeneratorInfo("test-split-k2", "test", "none", "rgb", 2, 0);
        foreach (var shard in manifest.ImageShards)
        {
            await using var writer = await dataset.CreateMaskShardWriterAsync(generator, shard.Index);
            await using var reader = await dataset.OpenImageShardAsync(shard.Index);
            await foreach (var row in reader.ReadRowsAsync(ImageColumns.Key))
            {
                using var mask = new Image<L8>(8, 8);
                for (var y = 0; y < 8; y++)
                    for (var x = 0; x < 8; x++) mask[x, y] = new L8((byte)(x < 4 ? 0 : 1));
                using var png = new MemoryStream();
                await mask.SaveAsPngAsync(png);
                await writer.AddAsync(new MaskRow(row.Key, png.ToArray(), 8, 8, 2));
            }
            await writer.CommitAsync();
        }
    }
}

/// <summary>Debian's chromium (SSEG_CHROMIUM, default /usr/bin/chromium) with the headless flags that work here.</summary>
public static class Chromium
{
    public static BrowserTypeLaunchOptions LaunchOptions()
    {
        var path = Environment.GetEnvironmentVariable("SSEG_CHROMIUM") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
        Assert.True(File.Exists(path),
            $"Chromium not found at {path}. Install it (apt-get install -y chromium; test.sh does) or set SSEG_CHROMIUM. Playwright never downloads browsers here.");
        return new BrowserTypeLaunchOptions
        {
            ExecutablePath = path,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"],
        };
    }
}
