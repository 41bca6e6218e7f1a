using Hangfire;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SSeg.Pipelines.Dashboard;
using SSeg.Pipelines.Jobs;
using SSeg.Pipelines.Runs;

namespace SSeg.Pipelines.Hosting;

/// <summary>
/// Builds the host: configuration (appsettings.json, SSEG_* environment variables, command-line overrides),
/// Hangfire job storage, one job server per queue group, the dashboard with its extra pages and the
/// access guard. `serve`, `demo` and the tests all build it here.
/// </summary>
public static class HostApp
{
    public static WebApplication Build(IReadOnlyDictionary<string, string?>? overrides = null, string[]? args = null,
        Action<WebApplication>? mapExtra = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args ?? [],
            ContentRootPath = AppContext.BaseDirectory,
        });
        HostConfiguration.AddSources(builder.Configuration, overrides, args);

        var settings = builder.Configuration.Get<HostSettings>() ?? new HostSettings();
        builder.WebHost.UseUrls(settings.Urls);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });

        // Hangfire's log provider is static and points at the last host's logger factory (disposed when that host
        // stopped, e.g. between tests); reset it, AddHangfire installs this host's when the app starts.
        Hangfire.Logging.LogProvider.SetCurrentLogProvider(null);
        var storage = JobStorageFactory.Create(settings);
        var jobLogs = new JobLogs(storage);
        builder.Logging.AddProvider(new JobLogCapture.Provider(jobLogs));
        // A job's own log keeps its Information lines whatever the console's level is.
        builder.Logging.AddFilter<JobLogCapture.Provider>(null, LogLevel.Information);
        JobLogCapture.RegisterOnce();
        var services = builder.Services;
        services.AddSingleton(jobLogs);
        services.AddSingleton(settings);
        services.AddSingleton(storage);
        services.AddSingleton(new DashboardAccess(settings.Dashboard));
        services.AddAntiforgery(o => o.FormFieldName = DashboardPages.AntiforgeryField);
        services.AddHangfire(c => c
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseStorage(storage));
        // The host's own clients, bound to this host's storage (not the static JobStorage.Current).
        services.AddSingleton<IBackgroundJobClient>(_ => new BackgroundJobClient(storage));
        services.AddSingleton<IRecurringJobManager>(_ => new RecurringJobManager(storage));
        services.AddSingleton<RunStore>();
        services.AddSingleton<RunControl>();
        services.AddSingleton<PipelineEngine>();
        services.AddSingleton<Schedules>();
        services.AddSingleton<StageRegistry>();
        StageAdapters.Register(services);
        services.AddTransient<StageJobs>();
        services.AddTransient<PipelineJobs>();
        services.AddHostedService<HostInfo>();
        if (!settings.Jobs.NoServer)
        {
            services.AddSingleton<OrphanRunSweep>();
            services.AddHostedService(sp => sp.GetRequiredService<OrphanRunSweep>());
            AddServers(services, settings, storage);
        }

        var app = builder.Build();
        if (BindWarning.For(BindWarning.ListenUrls(builder.Configuration, settings.Urls), settings.Dashboard.HasCredentials) is { } warning) app.Logger.LogWarning("{Warning}", warning);
        // Host check first (a rebinding page must get nothing), then the headers, which every later answer carries.
        var hosts = new HostAllowList(settings.Dashboard.AllowedHosts);
        app.Use((http, next) => hosts.GuardAsync(http, () => next(http)));
        app.Use((http, next) => SecurityHeaders.ApplyAsync(http, () => next(http)));
        var access = app.Services.GetRequiredService<DashboardAccess>();
        var path = settings.Dashboard.Path.TrimEnd('/');
        app.UseWhen(http => http.Request.Path.StartsWithSegments(path), branch => branch.Use((http, next) => access.GuardAsync(http, () => next(http))));
        DashboardPages.Register();
        app.UseHangfireDashboard(path, new DashboardOptions
        {
            DashboardTitle = "S-Seg pipelines",
            Authorization = [new DashboardAccessFilter(access)],
            StatsPollingInterval = 2000,
            DisplayStorageConnectionString = false,
        }, storage);
        app.MapGet("/", () => Microsoft.AspNetCore.Http.Results.Redirect(path));
        mapExtra?.Invoke(app);
        return app;
    }

    private static void AddServers(IServiceCollection services, HostSettings settings, JobStorage storage)
    {
        var queues = settings.Jobs.Queues.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(q => q.ToLowerInvariant()).ToHashSet();
        var name = settings.Jobs.ServerName ?? Environment.MachineName;
        void Server(string queue, int workers) => services.AddHangfireServer((_, o) =>
        {
            o.ServerName = $"{name}:{queue}:{Environment.ProcessId}";
            o.Queues = [queue];
            o.WorkerCount = Math.Max(1, workers);
            o.SchedulePollingInterval = TimeSpan.FromSeconds(1);
            o.ShutdownTimeout = TimeSpan.FromSeconds(10);
            o.ServerCheckInterval = TimeSpan.FromSeconds(30);
        }, storage);
        if (queues.Contains(Queues.Cpu)) Server(Queues.Cpu, settings.Jobs.CpuWorkers);
        if (queues.Contains(Queues.Gpu)) Server(Queues.Gpu, settings.Jobs.GpuWorkers);
        Server(Queues.Control, settings.Jobs.ControlWorkers);
    }
}
