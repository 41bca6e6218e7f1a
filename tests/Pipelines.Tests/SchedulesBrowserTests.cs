using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SSeg.Pipelines.Jobs;
using SSeg.Pipelines.Runs;
using SSeg.Tests.Common;

namespace SSeg.Pipelines.Tests;

/// <summary>
/// Schedules in Debian's Chromium (issue 17 item 4): the next firings in words, the runs a schedule started, pause
/// (it leaves Hangfire's recurring jobs and cannot be triggered) and resume. Screenshots: test-results/pipelines-schedules/.
/// </summary>
public sealed class SchedulesBrowserTests
{
    [Fact]
    public async Task Schedule_shows_next_runs_in_words_its_past_runs_and_can_be_paused_and_resumed()
    {
        var shots = RepoPaths.Artifacts("pipelines-schedules");
        await using var host = await TestHost.StartAsync(RepoPaths.NewTempDir("sseg-schedules"));
        var manifests = host.WriteSample(6);
        var definition = new PipelineDefinition { Name = "nightly-ops", Cron = "0 3 * * *", Stages = [TestHost.IngestStage("ops-nightly", manifests)] };
        Assert.Empty(host.Schedules.Save(definition, OptionOrigin.Trusted));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(Chromium.LaunchOptions());
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        await page.GotoAsync($"{host.DashboardUrl}/sseg/schedules");
        var row = page.Locator("tr[data-name='nightly-ops']");
        await Assertions.Expect(row.Locator(".next-runs span")).ToHaveCountAsync(3);
        await Assertions.Expect(row.Locator(".next-runs span").First).ToContainTextAsync("in ");
        await Assertions.Expect(row.Locator(".past-runs")).ToContainTextAsync("none yet");

        // Trigger now: the run it starts is listed among the schedule's past runs.
        await page.ClickAsync("#trigger-nightly-ops");
        await Assertions.Expect(page.Locator("#notice")).ToContainTextAsync("triggered");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!host.Runs.List().Any(r => r.Pipeline == "nightly-ops") && DateTime.UtcNow < deadline) await Task.Delay(200);
        var run = Assert.Single(host.Runs.List(), r => r.Pipeline == "nightly-ops");
        Assert.Equal("schedule", run.Trigger);
        await host.WaitAsync(run.Id);
        await page.GotoAsync($"{host.DashboardUrl}/sseg/schedules");
        await Assertions.Expect(row.Locator(".past-runs a").First).ToHaveAttributeAsync("href", $"/hangfire/sseg/runs/{run.Id}");
        await Assertions.Expect(row.Locator(".past-runs .label")).ToHaveTextAsync(RunStatus.Succeeded);
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "01-next-and-past-runs.png"), FullPage = true });

        // Pause: no longer a Hangfire recurring job, no next runs, no trigger button; resume brings it back.
        await page.ClickAsync("#pause-nightly-ops");
        await Assertions.Expect(page.Locator("#notice")).ToContainTextAsync("paused");
        await Assertions.Expect(row.Locator(".schedule-paused")).ToBeVisibleAsync();
        await Assertions.Expect(row.Locator(".next-runs")).ToHaveTextAsync("none while paused");
        await Assertions.Expect(page.Locator("#trigger-nightly-ops")).ToHaveCountAsync(0);
        using (var connection = host.App.Services.GetRequiredService<JobStorage>().GetConnection())
            Assert.DoesNotContain(connection.GetRecurringJobs(), j => j.Id == Schedules.IdFor("nightly-ops"));
        Assert.False(host.Schedules.Trigger("nightly-ops"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "02-paused.png"), FullPage = true });
        await page.ClickAsync("#resume-nightly-ops");
        await Assertions.Expect(page.Locator("#notice")).ToContainTextAsync("resumed");
        await Assertions.Expect(row.Locator(".schedule-paused")).ToHaveCountAsync(0);
        await Assertions.Expect(row.Locator(".next-runs span")).ToHaveCountAsync(3);
        using (var connection = host.App.Services.GetRequiredService<JobStorage>().GetConnection())
            Assert.Contains(connection.GetRecurringJobs(), j => j.Id == Schedules.IdFor("nightly-ops") && j.Job.Args[1] as string == nameof(OptionOrigin.Trusted));
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "03-resumed.png"), FullPage = true });

        // Deleting twice: the second time there is nothing to delete, and the page says so.
        await page.ClickAsync("button#delete-nightly-ops");
        await Assertions.Expect(page.Locator("#notice")).ToContainTextAsync("deleted");
        Assert.False(host.Schedules.Delete("nightly-ops"));
    }
}
