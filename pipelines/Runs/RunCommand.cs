using Microsoft.Extensions.DependencyInjection;
using SSeg.Pipelines.Hosting;
using SSeg.Pipelines.Jobs;

namespace SSeg.Pipelines.Runs;

/// <summary>`run FILE`: validate a pipeline file, enqueue its run, register its schedule, optionally wait.</summary>
public static class RunCommand
{
    public static async Task<int> ExecuteAsync(FileInfo file, bool wait, Dictionary<string, string?> overrides, string[] args, CancellationToken ct)
    {
        if (!file.Exists)
        {
            await Console.Error.WriteLineAsync($"Pipeline file not found: {file.FullName}");
            return 2;
        }
        PipelineDefinition definition;
        try { definition = PipelineDefinition.Parse(await File.ReadAllTextAsync(file.FullName, ct), file.FullName); }
        catch (PipelineDefinitionException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 2;
        }
        if (!wait) overrides["Jobs:NoServer"] = "true";
        await using var app = HostApp.Build(overrides, args);
        var engine = app.Services.GetRequiredService<PipelineEngine>();
        if (definition.Cron is not null)
        {
            var errors = app.Services.GetRequiredService<Schedules>().Save(definition, OptionOrigin.Trusted);
            if (errors.Count > 0)
            {
                await Console.Error.WriteLineAsync($"{file.FullName}:\n  " + string.Join("\n  ", errors));
                return 2;
            }
            Console.WriteLine($"Schedule '{definition.Name}' registered: {definition.Cron} (UTC)");
        }
        string runId;
        try { runId = engine.Start(definition, $"run {file.Name}", OptionOrigin.Trusted); }
        catch (PipelineDefinitionException e)
        {
            await Console.Error.WriteLineAsync($"{file.FullName}:\n  " + e.Message.Replace("\n", "\n  "));
            return 2;
        }
        Console.WriteLine($"Run {runId} enqueued ({definition.Stages.Count} stage(s)).");
        if (!wait)
        {
            Console.WriteLine("Jobs run on any host serving this job storage (`serve`); progress in the dashboard under Pipeline runs.");
            return 0;
        }
        await app.StartAsync(ct);
        var settings = app.Services.GetRequiredService<HostSettings>();
        Console.WriteLine($"Dashboard: {Cli.HostCliOptions.DashboardUrl(app, settings)}/sseg/runs/{runId}");
        var run = await RunWatcher.WaitAsync(app.Services.GetRequiredService<RunStore>(), runId, Console.Out, ct);
        await app.StopAsync(CancellationToken.None);
        return run.Status == RunStatus.Succeeded ? 0 : 1;
    }
}
