using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using SSeg.Pipelines.Demo;
using SSeg.Pipelines.Hosting;
using SSeg.Pipelines.Jobs;
using SSeg.Pipelines.Runs;

namespace SSeg.Pipelines.Tests;

/// <summary>
/// The real host in this process: Kestrel on a free loopback port, SQLite job storage and a data root in a
/// temp folder, job servers running, and a generated shapes sample served under /sample/.
/// </summary>
public sealed class TestHost : IAsyncDisposable
{
    private TestHost(WebApplication app, string root)
    {
        App = app;
        Root = root;
        BaseUrl = app.Urls.First().TrimEnd('/');
    }

    public WebApplication App { get; }
    public string Root { get; }
    public string BaseUrl { get; }
    public string DashboardUrl => BaseUrl + "/hangfire";
    public string SampleDir => Path.Combine(Root, "sample");
    public string SampleBaseUrl => BaseUrl + SampleServer.PathPrefix;

    public RunStore Runs => App.Services.GetRequiredService<RunStore>();
    public PipelineEngine Engine => App.Services.GetRequiredService<PipelineEngine>();
    public Schedules Schedules => App.Services.GetRequiredService<Schedules>();

    public static async Task<TestHost> StartAsync(string root, IDictionary<string, string?>? extra = null)
    {
        var overrides = new Dictionary<string, string?>
        {
            ["Storage:Root"] = root,
            ["Jobs:SqlitePath"] = Path.Combine(root, "hangfire.db"),
            ["Urls"] = "http://127.0.0.1:0",
            ["Jobs:CpuWorkers"] = "2",
            ["Jobs:GpuWorkers"] = "1",
            ["Jobs:BarrierIntervalSeconds"] = "1",
            ["Jobs:QueuePollIntervalMs"] = "200",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (extra is not null)
            foreach (var (key, value) in extra) overrides[key] = value;
        var app = HostApp.Build(overrides, [], a => SampleServer.Map(a, Path.Combine(root, "sample", "images")));
        await app.StartAsync();
        return new TestHost(app, root);
    }

    /// <summary>Draws <paramref name="images"/> sample images and writes the three manifests pointing at this host.</summary>
    public SampleGenerator.Manifests WriteSample(int images)
    {
        var samples = SampleGenerator.WriteImages(Path.Combine(SampleDir, "images"), images);
        return SampleGenerator.WriteManifests(Path.Combine(SampleDir, "manifests"), SampleBaseUrl, samples);
    }

    public static StageDefinition IngestStage(string dataset, SampleGenerator.Manifests manifests, int shardSize = 8) => new()
    {
        Stage = "ingest",
        Options = new(StringComparer.Ordinal)
        {
            ["dataset"] = dataset,
            ["sources"] = string.Join("\n", manifests.SourceLines),
            ["shardSize"] = shardSize.ToString(),
            ["downloadConcurrency"] = "4",
            ["imageSize"] = "128",
            ["timeoutSeconds"] = "10",
            ["allowPrivateAddresses"] = "true",
        },
    };

    public async Task<RunRecord> WaitAsync(string runId, TimeSpan? timeout = null) =>
        await RunWatcher.WaitAsync(Runs, runId, TextWriter.Null, CancellationToken.None, timeout ?? TimeSpan.FromMinutes(3));

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
