using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using SSeg.Pipelines.Hosting;

namespace SSeg.Pipelines.Cli;

/// <summary>Options every host verb shares; each maps onto a configuration key (command line wins).</summary>
public sealed class HostCliOptions
{
    private readonly Option<string?> _root = new("--root") { Description = $"Data root: a folder or az://container/prefix (Storage:Root; ${DataRootOption.Variable} when set)." };
    private readonly Option<string?> _urls = new("--urls") { Description = "Listen URLs (Urls), loopback by default." };
    private readonly Option<string?> _postgres = new("--postgres") { Description = "Use PostgreSQL job storage with this connection string." };
    private readonly Option<string?> _queues = new("--queues") { Description = "Queues this host serves, e.g. cpu,gpu (Jobs:Queues)." };
    private readonly Option<int?> _cpu = new("--cpu-workers") { Description = "Workers on the cpu queue (Jobs:CpuWorkers)." };
    private readonly Option<int?> _gpu = new("--gpu-workers") { Description = "Workers on the gpu queue (Jobs:GpuWorkers)." };
    private string? _defaultRoot;
    private string? _defaultUrls;

    public static HostCliOptions Add(Command command, string? defaultRoot = null, string? defaultUrls = null)
    {
        var options = new HostCliOptions { _defaultRoot = defaultRoot, _defaultUrls = defaultUrls };
        foreach (var option in new Option[] { options._root, options._urls, options._postgres, options._queues, options._cpu, options._gpu })
            command.Options.Add(option);
        return options;
    }

    public Dictionary<string, string?> Overrides(ParseResult parse)
    {
        var result = new Dictionary<string, string?>();
        var envRoot = Environment.GetEnvironmentVariable(DataRootOption.Variable) is { Length: > 0 } r ? r : null;
        if ((parse.GetValue(_root) ?? _defaultRoot ?? envRoot) is { } root) result["Storage:Root"] = root;
        if ((parse.GetValue(_urls) ?? _defaultUrls) is { } urls) result["Urls"] = urls;
        if (parse.GetValue(_postgres) is { } postgres)
        {
            result["Jobs:Storage"] = "postgres";
            result["Jobs:ConnectionString"] = postgres;
        }
        if (parse.GetValue(_queues) is { } queues) result["Jobs:Queues"] = queues;
        if (parse.GetValue(_cpu) is { } cpu) result["Jobs:CpuWorkers"] = cpu.ToString();
        if (parse.GetValue(_gpu) is { } gpu) result["Jobs:GpuWorkers"] = gpu.ToString();
        return result;
    }

    /// <summary>The dashboard URL on the first listen address (a wildcard host shown as localhost).</summary>
    public static string DashboardUrl(WebApplication app, HostSettings settings)
    {
        var address = app.Urls.FirstOrDefault() ?? settings.Urls.Split(';')[0];
        address = address.Replace("://0.0.0.0", "://localhost").Replace("://[::]", "://localhost").Replace("://+", "://localhost").Replace("://*", "://localhost");
        return address.TrimEnd('/') + settings.Dashboard.Path;
    }
}
