using System.Net;
using System.Security.Cryptography;
using System.Text;
using Hangfire.Annotations;
using Hangfire.Dashboard;
using Microsoft.AspNetCore.Http;

namespace SSeg.Pipelines.Hosting;

public enum AccessDecision { Allowed, Challenge, Forbidden }

/// <summary>
/// Who may use the dashboard: without configured credentials only loopback clients; with credentials every
/// request (local or not, page or action) must carry them as HTTP basic auth.
/// </summary>
public sealed class DashboardAccess(DashboardSettings settings)
{
    public const string Realm = "S-Seg pipelines";

    public LoginThrottle Throttle { get; } = new(settings.LoginLockout);

    public AccessDecision Decide(HttpContext http)
    {
        if (settings.HasCredentials)
            return HasValidCredentials(http.Request.Headers.Authorization.ToString())
                ? AccessDecision.Allowed : AccessDecision.Challenge;
        return IsLoopback(http.Connection.RemoteIpAddress) ? AccessDecision.Allowed : AccessDecision.Forbidden;
    }

    public static bool IsLoopback(IPAddress? address)
    {
        if (address is null) return false;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        return IPAddress.IsLoopback(address);
    }

    private bool HasValidCredentials(string header)
    {
        const string prefix = "Basic ";
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return false;
        string decoded;
        try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[prefix.Length..].Trim())); }
        catch (FormatException) { return false; }
        var colon = decoded.IndexOf(':');
        if (colon < 0) return false;
        return FixedTimeEquals(decoded[..colon], settings.Username!) & FixedTimeEquals(decoded[(colon + 1)..], settings.Password!);
    }

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(a)), SHA256.HashData(Encoding.UTF8.GetBytes(b)));

    /// <summary>
    /// Middleware for everything under the dashboard path: answers 401 (with a basic-auth challenge), 403, or 429
    /// while the client address is locked out after repeated wrong passwords.
    /// </summary>
    public async Task GuardAsync(HttpContext http, Func<Task> next)
    {
        var client = http.Connection.RemoteIpAddress;
        if (settings.HasCredentials && Throttle.LockedFor(client) is { } locked && locked > TimeSpan.Zero)
        {
            // Credentials are not even checked while locked out: a right guess then would still tell the attacker.
            http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            http.Response.Headers.RetryAfter = Math.Ceiling(locked.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await http.Response.WriteAsync("Too many failed logins from this address; try again later.");
            return;
        }
        var decision = Decide(http);
        // Only a request that carried credentials counts: browsers ask without them first, then show the prompt.
        if (settings.HasCredentials && !string.IsNullOrEmpty(http.Request.Headers.Authorization))
        {
            if (decision == AccessDecision.Allowed) Throttle.Succeeded(client);
            else Throttle.Failed(client);
        }
        switch (decision)
        {
            case AccessDecision.Allowed:
                await next();
                return;
            case AccessDecision.Challenge:
                http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                http.Response.Headers.WWWAuthenticate = $"Basic realm=\"{Realm}\", charset=\"UTF-8\"";
                await http.Response.WriteAsync("Credentials required.");
                return;
            default:
                http.Response.StatusCode = StatusCodes.Status403Forbidden;
                await http.Response.WriteAsync(
                    "The dashboard answers local requests only. Configure Dashboard:Username and Dashboard:Password to allow remote access.");
                return;
        }
    }
}

/// <summary>The same decision as Hangfire's own authorization filter (defence in depth behind the middleware).</summary>
public sealed class DashboardAccessFilter(DashboardAccess access) : IDashboardAuthorizationFilter
{
    public bool Authorize([NotNull] DashboardContext context) =>
        access.Decide(Hangfire.Dashboard.AspNetCoreDashboardContextExtensions.GetHttpContext(context)) == AccessDecision.Allowed;
}
