using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using SSeg.Pipelines.Cli;
using SSeg.Pipelines.Hosting;
using SSeg.Pipelines.Jobs;
using SSeg.Pipelines.Runs;

namespace SSeg.Pipelines.Demo;

/// <summary>
/// `demo`: the whole chain on a generated offline sample with the embedded defaults (SQLite job storage and a
/// local data root). Starts the host, serves the sample from its own HTTP listener, runs the demo pipeline as
/// Hangfire jobs, prints each stage's outcome, the dashboard URL and the report path.
/// </summary>
public static class DemoCommand
{
    public sealed record Options(int Images, bool KeepServing);

    public const string PipelineName = "demo";
    public const string DatasetName = "demo-shapes";

    public static async Task<int> ExecuteAsync(Options options, Dictionary<string, string?> overrides, string[] args, CancellationToken ct)
    {
        overrides.TryAdd("Jobs:CpuWorkers", "2");
        overrides.TryAdd("Jobs:GpuWorkers", "1");
        overrides.TryAdd("Jobs:BarrierIntervalSeconds", "1");
        // The demo prints one line per stage; the structured per-job logs stay available with serve.
        overrides.TryAdd("Logging:LogLevel:SSeg", "Warning");
        overrides.TryAdd("Logging:LogLevel:Microsoft.Hosting.Lifetime", "Warning");
        overrides.TryAdd("Logging:LogLevel:Hangfire", "None"); // job failures reach the run's summary line
        if (overrides.GetValueOrDefault("Urls") is { } urls && !PortIsFree(urls))
        {
            Console.WriteLine($"{urls} is taken; the demo listens on a free loopback port instead.");
            overrides["Urls"] = "http://127.0.0.1:0";
        }
        var root = Path.GetFullPath(overrides.GetValueOrDefault("Storage:Root") ?? "./data");
        overrides["Storage:Root"] = root;
        var sampleDir = Path.Combine(root, "demo-sample");
        var imageDir = Path.Combine(sampleDir, "images");
        await using var app = HostApp.Build(overrides, args, a => SampleServer.Map(a, imageDir));
        var settings = app.Services.GetRequiredService<HostSettings>();
        if (settings.Storage.Root.Contains("://", StringComparison.Ordinal))
        {
            await Console.Error.WriteLineAsync("The demo runs on a local data root (--root PATH).");
            return 2;
        }
        await app.StartAsync(ct);
        var listen = app.Urls.First();
        var dashboard = HostCliOptions.DashboardUrl(app, settings);
        Console.WriteLine($"S-Seg demo: data root {root}, job storage SQLite {JobStorageFactory.SqlitePath(settings)}");
        Console.WriteLine($"Dashboard: {dashboard}");

        var samples = SampleGenerator.WriteImages(imageDir, options.Images);
        var manifests = SampleGenerator.WriteManifests(Path.Combine(sampleDir, "manifests"), SampleServer.BaseUrl(listen), samples);
        Console.WriteLine($"Sample: {samples.Count} drawn images served at {SampleServer.BaseUrl(listen)}/, manifests in CC3M, CC12M and RedCaps format under {Path.Combine(sampleDir, "manifests")}");

        var vocSample = SampleGenerator.WriteVocSample(Path.Combine(sampleDir, "eval-voc"), 8);
        Console.WriteLine($"Eval sample: 8 drawn images in Pascal VOC format under {vocSample} (shapes are no VOC class: labelled ignore; the scores only show the eval machinery runs)");
        var definition = DemoPipeline.Create(manifests, vocSample);
        var engine = app.Services.GetRequiredService<PipelineEngine>();
        string runId;
        try { runId = engine.Start(definition, "demo", OptionOrigin.Trusted); }
        catch (PipelineDefinitionException e)
        {
            await Console.Error.WriteLineAsync("Demo pipeline is invalid:\n  " + e.Message.Replace("\n", "\n  "));
            return 1;
        }
        Console.WriteLine($"Run {runId}: {string.Join(" -> ", definition.Stages.Select(s => s.Stage))}   live: {dashboard}/sseg/runs/{runId}");
        var run = await RunWatcher.WaitAsync(app.Services.GetRequiredService<RunStore>(), runId, Console.Out, ct, TimeSpan.FromMinutes(20));

        Console.WriteLine();
        Console.WriteLine($"Dashboard: {dashboard}   (runs: {dashboard}/sseg/runs/{runId}, datasets: {dashboard}/sseg/datasets)");
        var report = DemoPipeline.ReportPath(root);
        Console.WriteLine(Directory.Exists(report) ? $"Report: {report}" : $"Report: none ({report} was not written: eval did not run)");
        if (options.KeepServing)
        {
            Console.WriteLine("Serving the dashboard until Ctrl+C.");
            await app.WaitForShutdownAsync(ct);
        }
        else
        {
            await app.StopAsync(CancellationToken.None);
        }
        return run.Status == RunStatus.Succeeded ? 0 : 1;
    }

    private static bool PortIsFree(string url)
    {
        if (!Uri.TryCreate(url.Split(';')[0], UriKind.Absolute, out var uri) || uri.Port == 0) return true;
        try
        {
            var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, uri.Port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}
