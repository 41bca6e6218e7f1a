using Microsoft.AspNetCore.Http;

namespace SSeg.Pipelines.Hosting;

/// <summary>
/// Which Host headers the host answers: loopback names (localhost, 127.0.0.1, [::1], any port) plus
/// Dashboard:AllowedHosts. Without it a malicious page could rebind its own DNS name to 127.0.0.1 and, being
/// "same origin" for the browser, drive the credential-less local dashboard (DNS rebinding); such requests carry
/// the attacker's name in Host, so refusing unknown names stops them. "*" in AllowedHosts turns the check off.
/// </summary>
public sealed class HostAllowList(IEnumerable<string> configured)
{
    private static readonly string[] Loopback = ["localhost", "127.0.0.1", "[::1]", "::1"];
    private readonly HashSet<string> _names = configured.Select(Normalize).Concat(Loopback).ToHashSet(StringComparer.OrdinalIgnoreCase);

    public bool IsAllowed(HostString host)
    {
        if (_names.Contains("*")) return true;
        // No Host at all (HTTP/1.0) cannot be checked, so it is refused like an unknown name.
        return host.HasValue && _names.Contains(host.Host);
    }

    // Configured entries may be written with a port or brackets; the comparison uses the bare host name.
    private static string Normalize(string entry)
    {
        var trimmed = entry.Trim();
        return trimmed == "*" ? trimmed : new HostString(trimmed).Host;
    }

    /// <summary>Middleware for every request: 400 for a Host name that is not allowed.</summary>
    public async Task GuardAsync(HttpContext http, Func<Task> next)
    {
        if (IsAllowed(http.Request.Host))
        {
            await next();
            return;
        }
        http.Response.StatusCode = StatusCodes.Status400BadRequest;
        await http.Response.WriteAsync("Unknown Host header. Add the name to Dashboard:AllowedHosts to serve it.");
    }
}
