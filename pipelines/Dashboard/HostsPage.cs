using System.Text;
using Hangfire;
using SSeg.Pipelines.Hosting;

namespace SSeg.Pipelines.Dashboard;

/// <summary>Every host that started on this job storage: torch backend, device, CPUs, queues, and whether its servers are alive.</summary>
public sealed class HostsPage : SsegPage
{
    protected override string Title => "Hosts";

    protected override void Render(StringBuilder html)
    {
        var storage = Service<JobStorage>();
        var servers = storage.GetMonitoringApi().Servers();
        using var connection = storage.GetConnection();
        var hosts = connection.GetAllItemsFromSet(HostInfo.HostsSet)
            .Select(name => (Name: name, Fields: connection.GetAllEntriesFromHash(HostInfo.Key(name)) ?? new Dictionary<string, string>()))
            .Select(h => (h.Name, h.Fields, Alive: servers.Any(s => IsServerOf(s.Name, h.Name))))
            .OrderByDescending(h => h.Alive).ThenByDescending(h => h.Fields.GetValueOrDefault("started"), StringComparer.Ordinal)
            .Take(100).ToList();
        html.Append("<h1 class=\"page-header\">Hosts</h1><p>The compute of each host that started on this job storage (newest first). ")
            .Append($"<a href=\"{Link("/servers")}\">Servers</a> lists Hangfire's live servers.</p>");
        html.Append("<table class=\"table table-striped\" id=\"hosts\"><thead><tr><th>Host</th><th>Alive</th><th>Backend</th><th>Device</th><th>GPU visible</th><th>CPUs</th><th>Queues</th><th>Started (UTC)</th></tr></thead><tbody>");
        foreach (var (name, fields, alive) in hosts)
        {
            html.Append($"<tr data-host=\"{E(name)}\"><td>{E(name)}</td><td>{(alive ? "<span class=\"label label-success\">alive</span>" : "<span class=\"label label-default\">gone</span>")}</td>")
                .Append($"<td class=\"host-backend\">{E(fields.GetValueOrDefault("backend"))}</td><td class=\"host-device\">{E(fields.GetValueOrDefault("device"))}")
                .Append(fields.GetValueOrDefault("note") is { Length: > 0 } note ? $"<br/><small class=\"text-warning\">{E(note)}</small>" : "")
                .Append($"</td><td>{E(fields.GetValueOrDefault("gpuVisible"))}</td><td>{E(fields.GetValueOrDefault("cpus"))}</td><td>{E(fields.GetValueOrDefault("queues"))}</td>")
                .Append($"<td>{E(fields.GetValueOrDefault("started")?.Replace('T', ' ')[..Math.Min(19, fields.GetValueOrDefault("started")?.Length ?? 0)])}</td></tr>");
        }
        html.Append("</tbody></table>");
    }

    // A host is "NAME:pid"; Hangfire names its servers "name:queue:pid:guid" (lower case).
    private static bool IsServerOf(string server, string host)
    {
        var colon = host.LastIndexOf(':');
        return server.StartsWith(host[..(colon + 1)].ToLowerInvariant(), StringComparison.Ordinal)
               && server.Contains($":{host[(colon + 1)..]}:", StringComparison.Ordinal);
    }
}
