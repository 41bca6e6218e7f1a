using System.CommandLine;
using SSeg.Pipelines.Demo;
using SSeg.Pipelines.Hosting;
using SSeg.Pipelines.Runs;

namespace SSeg.Pipelines.Cli;

/// <summary>The host verbs: serve (Hangfire server + dashboard), run (enqueue a pipeline file), demo.</summary>
public static class HostCli
{
    public static Command CreateServe()
    {
        var command = new Command("serve",
            "Run the Hangfire server and dashboard. Any configuration key can be given as --Section:Key value " +
            "(for example --Jobs:Storage postgres --Jobs:ConnectionString \"Host=...\" --Jobs:Queues cpu).");
        var common = HostCliOptions.Add(command);
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
        {
            var app = HostApp.Build(common.Overrides(parse), [.. parse.UnmatchedTokens]);
            var settings = app.Services.GetRequiredService<HostSettings>();
            await app.StartAsync(ct);
            Console.WriteLine($"Dashboard: {HostCliOptions.DashboardUrl(app, settings)}   (Ctrl+C to stop)");
            await app.WaitForShutdownAsync(ct);
            return 0;
        });
        return command;
    }

    public static Command CreateRun()
    {
        var command = new Command("run",
            "Enqueue a pipeline definition (JSON) as a chain of jobs; with a cron in the file, also (re)register its rebuild schedule.");
        var file = new Argument<FileInfo>("file") { Description = "Pipeline definition JSON." };
        var wait = new Option<bool>("--wait") { Description = "Run the jobs in this process (embedded server) and wait until the run ends." };
        command.Arguments.Add(file);
        command.Options.Add(wait);
        var common = HostCliOptions.Add(command);
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
            await RunCommand.ExecuteAsync(parse.GetValue(file)!, parse.GetValue(wait), common.Overrides(parse), [.. parse.UnmatchedTokens], ct));
        return command;
    }

    public static Command CreateDemo()
    {
        var command = new Command("demo",
            "Run the whole chain on a generated offline sample: a local HTTP server serves drawn images listed in " +
            "CC3M/CC12M/RedCaps manifests; ingest -> pseudomask -> train -> eval run as Hangfire jobs (embedded SQLite storage).");
        var keep = new Option<bool>("--keep-serving") { Description = "Keep the dashboard up after the chain ends (Ctrl+C to stop)." };
        var images = new Option<int>("--images") { Description = "Sample images to generate.", DefaultValueFactory = _ => 36 };
        command.Options.Add(keep);
        command.Options.Add(images);
        var common = HostCliOptions.Add(command, defaultRoot: "./data", defaultUrls: "http://127.0.0.1:5057");
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
            await DemoCommand.ExecuteAsync(new DemoCommand.Options(parse.GetValue(images), parse.GetValue(keep)),
                common.Overrides(parse), [.. parse.UnmatchedTokens], ct));
        return command;
    }
}
