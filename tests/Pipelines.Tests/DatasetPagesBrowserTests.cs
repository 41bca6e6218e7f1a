using System.Net;
using Microsoft.Playwright;
using SSeg.Pipelines.Dashboard;
using SSeg.Tests.Common;

namespace SSeg.Pipelines.Tests;

/// <summary>
/// The dataset pages in Debian's Chromium (issue 17 items 4 and 5): failures per shard and by reason with their
/// details, rows in key order with thumbnails from the caching endpoint, the mask overlay's toggle, blend and legend,
/// match counts and clamped paging, and the SQL page with image thumbnails and a refused escape.
/// Screenshots: test-results/pipelines-dataset-pages/.
/// </summary>
public sealed class DatasetPagesBrowserTests
{
    [Fact]
    public async Task Failures_rows_overlay_search_paging_and_sql_work_in_the_browser()
    {
        var shots = RepoPaths.Artifacts("pipelines-dataset-pages");
        await using var host = await TestHost.StartAsync(RepoPaths.NewTempDir("sseg-dataset-pages"));
        await DashboardData.WriteAsync(host.Root, "ops-data");
        var datasetUrl = $"{host.DashboardUrl}/sseg/datasets/ops-data";

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(Chromium.LaunchOptions());
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 1000 } });

        // Rows: thumbnails and masks load from the endpoint (no base64 in the page), in key order, with the legend.
        var response = await page.GotoAsync(datasetUrl);
        Assert.DoesNotContain("base64", await response!.TextAsync());
        var images = page.Locator("img.sample-image");
        await Assertions.Expect(images).ToHaveCountAsync(4);
        await Assertions.Expect(page.Locator("img.sample-mask")).ToHaveCountAsync(4);
        await BrowserImages.AssertAllDecodedAsync(page.Locator("img.sample-image, img.sample-mask"), "a thumbnail or mask did not decode");
        var keys = await page.Locator(".sample-key").AllTextContentsAsync();
        Assert.Equal(keys.Order(StringComparer.Ordinal), keys);
        await Assertions.Expect(page.Locator("#mask-legend .legend-item")).ToHaveCountAsync(4);
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "01-rows-with-overlay-and-legend.png"), FullPage = true });
        await page.Locator("#mask-opacity").FillAsync("90");
        await Assertions.Expect(page.Locator("img.sample-mask").First).ToHaveCSSAsync("opacity", "0.9");
        await page.UncheckAsync("#mask-toggle");
        await Assertions.Expect(page.Locator("img.sample-mask").First).ToHaveCSSAsync("opacity", "0");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "02-overlay-off.png"), FullPage = true });

        // The thumbnail endpoint caches: ETag and Cache-Control, 304 on revalidation, 404 for a key it does not have.
        using var http = new HttpClient();
        var thumb = $"{datasetUrl}/thumb?shard=0&key={Uri.EscapeDataString(keys[0])}";
        var first = await http.GetAsync(thumb);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("image/jpeg", first.Content.Headers.ContentType?.MediaType);
        Assert.Contains("max-age", first.Headers.CacheControl!.ToString());
        var again = new HttpRequestMessage(HttpMethod.Get, thumb);
        again.Headers.TryAddWithoutValidation("If-None-Match", first.Headers.ETag!.ToString());
        Assert.Equal(HttpStatusCode.NotModified, (await http.SendAsync(again)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"{datasetUrl}/thumb?shard=0&key=missing")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"{datasetUrl}/thumb?shard=0&key={Uri.EscapeDataString(keys[0])}&mask=..%2F..%2Fetc")).StatusCode);

        // Paging stays on real pages; an unknown shard says so.
        await page.GotoAsync($"{datasetUrl}?shard=0&page=2147483647");
        await Assertions.Expect(page.Locator("h3")).ToContainTextAsync("page 1 of 1");
        await page.GotoAsync($"{datasetUrl}?shard=999999&page=-4");
        await Assertions.Expect(page.Locator("#no-shard")).ToContainTextAsync("No committed image shard 999999");
        await Assertions.Expect(page.Locator("h3")).ToContainTextAsync("shard 0, page 1 of 1");

        // Search: the match count over every scanned shard, paged.
        await page.GotoAsync(datasetUrl);
        await page.FillAsync("#search input[name=q]", "synthetic");
        await page.ClickAsync("#search button");
        await Assertions.Expect(page.Locator("#match-count")).ToHaveTextAsync("14 matches");
        await Assertions.Expect(page.Locator("h3")).ToContainTextAsync("page 1 of 2");
        await page.ClickAsync("#next-page");
        await Assertions.Expect(page.Locator("img.sample-image")).ToHaveCountAsync(2);
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "03-search-match-count.png"), FullPage = true });

        // Failures: the counts link to the failures page, per reason and per shard, with the details.
        await page.GotoAsync(datasetUrl);
        await page.ClickAsync("#failure-reasons a:has-text('http_404: 2')");
        await Assertions.Expect(page.Locator("#failures tbody tr")).ToHaveCountAsync(2);
        foreach (var reason in await page.Locator(".failure-reason").AllTextContentsAsync()) Assert.Equal("http_404", reason);
        await Assertions.Expect(page.Locator(".failure-detail").First).ToContainTextAsync("404 Not Found");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "04-failures-by-reason.png"), FullPage = true });
        await page.GotoAsync(datasetUrl);
        await page.ClickAsync("a.shard-failures");
        await Assertions.Expect(page.Locator("#failures-count")).ToContainTextAsync("4 failure(s) in shard 3");
        await page.SelectOptionAsync("#filter-reason", "timeout");
        await page.ClickAsync("#filter-apply");
        await Assertions.Expect(page.Locator("#failures tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator(".failure-detail")).ToHaveTextAsync("no response within 10 s");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "05-failures-shard-and-reason.png"), FullPage = true });

        // SQL from the dataset page: images as thumbnails; an escape is refused with the reason.
        await page.GotoAsync(datasetUrl);
        await page.ClickAsync("#sql-link");
        await page.FillAsync("#sql", "SELECT key, image, shard FROM images ORDER BY key DESC LIMIT 3");
        await page.ClickAsync("#run-sql");
        await Assertions.Expect(page.Locator("#sql-result tbody tr")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("#sql-result tbody tr").First).ToContainTextAsync("synthetic/00003/00001");
        await BrowserImages.AssertAllDecodedAsync(page.Locator("img.sql-image"), "an SQL result image did not decode");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "06-sql-images.png"), FullPage = true });
        await page.FillAsync("#sql", "SELECT * FROM read_csv('/etc/passwd')");
        await page.ClickAsync("#run-sql");
        await Assertions.Expect(page.Locator("#sql-error")).ToContainTextAsync("read_csv() is refused");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "07-sql-refused.png"), FullPage = true });
    }

    [Fact]
    public async Task Shard_tables_are_paged_and_hostile_from_values_are_clamped()
    {
        const int shards = 230;   // more than one page of the dataset page (200) and of the failures page (50)
        var shots = RepoPaths.Artifacts("pipelines-dataset-pages");
        await using var host = await TestHost.StartAsync(RepoPaths.NewTempDir("sseg-dataset-shard-pages"));
        await DashboardData.WriteManyShardsAsync(host.Root, "many-shards", shards);
        var datasetUrl = $"{host.DashboardUrl}/sseg/datasets/many-shards";

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(Chromium.LaunchOptions());
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 1000 } });

        // The first page holds one page of shards, with their masks; "next" shows the rest, "previous" goes back.
        await page.GotoAsync(datasetUrl);
        await Assertions.Expect(page.Locator("#shards tbody tr")).ToHaveCountAsync(DatasetPage.ShardPageSize);
        await Assertions.Expect(page.Locator("#shard-range")).ToHaveTextAsync($"Image shards 0 to 199: 200 of {shards}.");
        await Assertions.Expect(page.Locator("#shards-previous")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#shards tbody tr").Last.Locator("td").Nth(4)).ToHaveTextAsync(SSeg.Train.Synthetic.SyntheticShapes.GeneratorId);
        await page.ClickAsync("#shards-next");
        await Assertions.Expect(page.Locator("#shard-range")).ToHaveTextAsync($"Image shards 200 to 229: 30 of {shards}.");
        var indices = await page.Locator("#shards tbody tr td:first-child").AllTextContentsAsync();
        Assert.Equal(Enumerable.Range(200, 30).Select(i => i.ToString()), indices);
        await Assertions.Expect(page.Locator("#shards tbody tr").Last.Locator("td").Nth(4)).ToHaveTextAsync(SSeg.Train.Synthetic.SyntheticShapes.GeneratorId);
        await Assertions.Expect(page.Locator("#shards-next")).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "08-second-page-of-shards.png"), FullPage = true });
        // A shard's rows from the second page: its row, its mask, and the shard table stays on that page.
        await page.ClickAsync("#shards tbody tr:last-child a:has-text('rows')");
        await Assertions.Expect(page.Locator("h3")).ToContainTextAsync("shard 229, page 1 of 1");
        await Assertions.Expect(page.Locator(".sample-key")).ToHaveTextAsync("synthetic/00229/00000");
        await Assertions.Expect(page.Locator("img.sample-mask")).ToHaveCountAsync(1);
        await BrowserImages.AssertAllDecodedAsync(page.Locator("img.sample-image, img.sample-mask"), "a thumbnail or mask of a later shard did not decode");
        await Assertions.Expect(page.Locator("#shard-range")).ToHaveTextAsync($"Image shards 200 to 229: 30 of {shards}.");
        await page.ClickAsync("#shards-previous");
        await Assertions.Expect(page.Locator("#shard-range")).ToHaveTextAsync($"Image shards 0 to 199: 200 of {shards}.");

        // The failures page: a window of 50 shards with failures at a time (shard 0 has none).
        await page.GotoAsync($"{datasetUrl}/failures");
        await Assertions.Expect(page.Locator("#failures-count")).ToContainTextAsync("50 failure(s) in the 50 shard(s) with failures from shard 1 to 50");
        await page.ClickAsync("#shards-next");
        await Assertions.Expect(page.Locator("#failures-count")).ToContainTextAsync("50 failure(s) in the 50 shard(s) with failures from shard 51 to 100");
        await Assertions.Expect(page.Locator("#failures tbody tr").First.Locator(".failure-detail")).ToHaveTextAsync("no response for shard 51");
        await page.SelectOptionAsync("#filter-shard", "60");
        await page.ClickAsync("#filter-apply");
        await Assertions.Expect(page.Locator("#failures-count")).ToContainTextAsync("1 failure(s) in shard 60");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "09-failures-window.png"), FullPage = true });

        // Hostile from values read as the nearest valid index: never an error page (the page's own error box).
        const string errorBox = "<div class=\"alert alert-danger\">";
        using var http = new HttpClient();
        foreach (var (from, range) in new[]
                 {
                     ("-5", "Image shards 0 to 199"), ("abc", "Image shards 0 to 199"), ("%00", "Image shards 0 to 199"), ("1e3", "Image shards 0 to 199"),
                     ("-99999999999999999999", "Image shards 0 to 199"), ("215", "Image shards 215 to 229"),
                     ("99999999999999999999", "No image shards from index 2147483647."), ("2147483647", "No image shards from index 2147483647."),
                 })
        {
            var response = await http.GetAsync($"{datasetUrl}?from={from}&shard=-1");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain(errorBox, body);
            Assert.Contains(range, body);
            Assert.Contains("No committed image shard -1", body);
            var failures = await http.GetAsync($"{datasetUrl}/failures?from={from}&shard=abc&page=-3");
            Assert.Equal(HttpStatusCode.OK, failures.StatusCode);
            Assert.DoesNotContain(errorBox, await failures.Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"{datasetUrl}/thumb?shard=-1&key=synthetic%2F00000%2F00000")).StatusCode);
    }
}
