using System.Net;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Pipelines.Jobs;
using SSeg.Pipelines.Runs;
using SSeg.Shards;
using SSeg.Tests.Common;
using SSeg.Train.Synthetic;

namespace SSeg.Pipelines.Tests;

/// <summary>
/// The run page as an operator uses it, in Debian's Chromium (issue 17 item 4): a failed shard job's error inline and
/// in its log, per-stage times and pace, retrying the failed job after repairing its shard, rerunning from a stage,
/// cancelling a run, plots from a stage's plots folder, and the runs list filtered and paged.
/// Screenshots: test-results/pipelines-run-page/.
/// </summary>
public sealed class RunPageOperatorTests
{
    [Fact]
    public async Task Failed_job_shows_error_and_logs_then_retry_rerun_cancel_plots_and_runs_filter_work()
    {
        var shots = RepoPaths.Artifacts("pipelines-run-page");
        await using var host = await TestHost.StartAsync(RepoPaths.NewTempDir("sseg-run-page"));
        var dataset = await SyntheticShapes.WriteDatasetAsync(host.Root, "shapes-ops", images: 12, shards: 3, size: 64, seed: 3);
        var badPath = Path.Combine(host.Root, dataset.KeyOf((await dataset.GetManifestAsync()).Find(ShardNames.ImagesKind, 1)!.Path).Replace('/', Path.DirectorySeparatorChar));
        var original = await File.ReadAllBytesAsync(badPath);
        await File.WriteAllBytesAsync(badPath, original[..(original.Length / 2)]);

        var runId = Start(host, new PipelineDefinition { Name = "ops-masks", Stages = [Pseudomask("rgb-ops")] });
        Assert.Equal(RunStatus.Failed, (await host.WaitAsync(runId, TimeSpan.FromSeconds(180))).Status);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(Chromium.LaunchOptions());
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 1000 } });

        // The failed job's error inline, its log and the stage's merged log with level and time.
        await page.GotoAsync($"{host.DashboardUrl}/sseg/runs/{runId}");
        await Assertions.Expect(page.Locator("#run-status")).ToHaveTextAsync(RunStatus.Failed);
        await Assertions.Expect(page.Locator(".job-error")).ToContainTextAsync("is unreadable");
        await Assertions.Expect(page.Locator(".stage-duration")).ToContainTextAsync("duration");
        var failedRow = page.Locator("tr.job").Nth(1);
        await failedRow.Locator("details.job-log summary").ClickAsync();
        await Assertions.Expect(failedRow.Locator("details.job-log tr.danger .log-level").First).ToHaveTextAsync("Error");
        await Assertions.Expect(failedRow.Locator("details.job-log .log-message").Last).ToContainTextAsync("unreadable");
        await page.Locator("details.stage-log summary").ClickAsync();
        await Assertions.Expect(page.Locator("details.stage-log .log-message").First).ToContainTextAsync("shard 0 started");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "01-failed-job-error-and-logs.png"), FullPage = true });

        // Repair the shard, retry the stage's failed jobs: the run finishes, with throughput for the stage.
        await File.WriteAllBytesAsync(badPath, original);
        await page.ClickAsync("#retry-0");
        await Assertions.Expect(page.Locator("#notice")).ToContainTextAsync("requeued");
        await Assertions.Expect(page.Locator("#run-status")).ToHaveTextAsync(RunStatus.Succeeded, new() { Timeout = 120_000 });
        await Assertions.Expect(page.Locator(".stage-throughput")).ToContainTextAsync("images/s");
        Assert.True(await dataset.IsMaskCommittedAsync("rgb-ops", 1));
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "02-retried-and-succeeded.png"), FullPage = true });

        // Rerun from the stage: a new forced run of the same options.
        await page.ClickAsync("#rerun-0");
        await page.ClickAsync("#rerun-link");
        await Assertions.Expect(page.Locator("#run-status")).ToHaveTextAsync(RunStatus.Succeeded, new() { Timeout = 120_000 });
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync($"rerun of {runId} from stage 1");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "03-rerun.png"), FullPage = true });

        // Cancel: a run whose shard job waits on a queue no worker serves; its job is deleted and the run ends cancelled.
        var stuck = RunStore.NewRunId();
        host.Runs.Create(stuck, new PipelineDefinition { Name = "ops-stuck", Stages = [Pseudomask("rgb-stuck")] }, "test", OptionOrigin.Trusted);
        var job = host.App.Services.GetRequiredService<IBackgroundJobClient>()
            .Enqueue<StageJobs>(j => j.RunShardAsync("nobody", "pseudomask", stuck, 0, 0, CancellationToken.None));
        host.Runs.Set(stuck, (RunFields.Status(0), RunStatus.Running), (RunFields.Started(0), DateTime.UtcNow.ToString("O")), (RunFields.Jobs(0), job));
        await page.GotoAsync($"{host.DashboardUrl}/sseg/runs/{stuck}");
        await page.ClickAsync("#cancel-run");
        await Assertions.Expect(page.Locator("#notice")).ToContainTextAsync("1 unfinished job(s) deleted");
        await Assertions.Expect(page.Locator("#run-status")).ToHaveTextAsync(RunStatus.Cancelled);
        await Assertions.Expect(page.Locator("td.job-state")).ToHaveTextAsync("Deleted");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "04-cancelled.png"), FullPage = true });

        // Plots: whatever PNGs a train run and an eval report hold under plots/ are shown; nothing outside is served.
        WritePng(Path.Combine(host.Root, "runs", "ops-train", "plots", "loss.png"), new Rgb24(200, 40, 40));
        WritePng(Path.Combine(host.Root, "runs", "ops-train", "plots", "lr.png"), new Rgb24(40, 40, 200));
        WritePng(Path.Combine(host.Root, "reports", "ops-eval", "plots", "class-iou.png"), new Rgb24(40, 160, 40));
        var plotted = RunStore.NewRunId();
        host.Runs.Create(plotted, new PipelineDefinition
        {
            Name = "ops-plots",
            Stages = [new StageDefinition { Stage = "train", Options = { ["run"] = "ops-train" } }, new StageDefinition { Stage = "eval", Options = { ["run"] = "ops-eval" } }],
        }, "test", OptionOrigin.Trusted);
        host.Runs.Set(plotted, ("status", RunStatus.Succeeded), ("finished", DateTime.UtcNow.ToString("O")));
        await page.GotoAsync($"{host.DashboardUrl}/sseg/runs/{plotted}");
        await Assertions.Expect(page.Locator("img.plot")).ToHaveCountAsync(3);
        await BrowserImages.AssertAllDecodedAsync(page.Locator("img.plot"), "a plot did not load");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "05-plots.png"), FullPage = true });
        using var http = new HttpClient();
        var plotUrl = $"{host.DashboardUrl}/sseg/plot?path=runs/ops-train/plots/loss.png";
        var first = await http.GetAsync(plotUrl);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("image/png", first.Content.Headers.ContentType?.MediaType);
        var again = new HttpRequestMessage(HttpMethod.Get, plotUrl);
        again.Headers.TryAddWithoutValidation("If-None-Match", first.Headers.ETag!.ToString());
        Assert.Equal(HttpStatusCode.NotModified, (await http.SendAsync(again)).StatusCode);
        foreach (var escape in new[] { "runs/../hangfire.db", "runs/ops-train/plots/../../../hangfire.db", "/etc/passwd", "datasets/shapes-ops/plots/x.png" })
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"{host.DashboardUrl}/sseg/plot?path={Uri.EscapeDataString(escape)}")).StatusCode);

        // Runs list: filtered by status and pipeline; out-of-range pages show the nearest real page.
        await page.GotoAsync($"{host.DashboardUrl}/sseg/runs");
        await page.SelectOptionAsync("#filter-status", RunStatus.Cancelled);
        await page.ClickAsync("#filter-apply");
        await Assertions.Expect(page.Locator("#runs tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#runs tbody")).ToContainTextAsync("ops-stuck");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "06-runs-filtered.png"), FullPage = true });
        await page.GotoAsync($"{host.DashboardUrl}/sseg/runs?pipeline=ops-masks&page=2147483647");
        await Assertions.Expect(page.Locator("#runs-count")).ToHaveTextAsync("2 run(s), page 1 of 1");
        await page.GotoAsync($"{host.DashboardUrl}/sseg/runs?page=-3");
        await Assertions.Expect(page.Locator("#runs-count")).ToHaveTextAsync("4 run(s), page 1 of 1");
    }

    private static StageDefinition Pseudomask(string generator)
    {
        var stage = new StageDefinition { Stage = "pseudomask" };
        foreach (var (key, value) in new[] { ("dataset", "shapes-ops"), ("feature", "rgb"), ("k", "2"), ("maxSide", "32"), ("threads", "2"), ("generatorId", generator) })
            stage.Options[key] = value;
        return stage;
    }

    private static string Start(TestHost host, PipelineDefinition definition) => host.Engine.Start(definition, "test", OptionOrigin.Trusted);

    private static void WritePng(string path, Rgb24 color)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var image = new Image<Rgb24>(64, 40, color);
        image.SaveAsPng(path);
    }
}
