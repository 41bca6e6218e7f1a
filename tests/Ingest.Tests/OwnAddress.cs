using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace SSeg.Ingest.Tests;

/// <summary>
/// A non-loopback address of one of this machine's own interfaces (IPv4 first), for servers the address guard
/// must refuse. Binding a test server there is allowed: it is this machine's own address.
/// </summary>
public static class OwnAddress
{
    public static IPAddress? Find() =>
        Candidates().OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).FirstOrDefault();

    /// <summary>
    /// Addresses of interfaces that are up, except loopback and IPv6 link-local (a URL would need its zone id).
    /// </summary>
    private static IEnumerable<IPAddress> Candidates() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses.Select(u => u.Address))
            .Where(a => !IPAddress.IsLoopback(a) && !a.IsIPv6LinkLocal);
}

/// <summary>
/// A host name that /etc/hosts maps to loopback only (e.g. the machine's name), other than localhost, which the
/// downloader refuses by name before resolving. Null unless name lookups read /etc/hosts before DNS: resolving
/// it must not send a query anywhere.
/// </summary>
public static class LoopbackName
{
    public static string? Find()
    {
        if (!File.Exists("/etc/hosts") || !File.Exists("/etc/nsswitch.conf")) return null;
        var order = File.ReadLines("/etc/nsswitch.conf").FirstOrDefault(l => l.StartsWith("hosts:", StringComparison.Ordinal));
        if (order is null || !order["hosts:".Length..].TrimStart().StartsWith("files", StringComparison.Ordinal)) return null;
        var byName = new Dictionary<string, List<IPAddress>>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in File.ReadLines("/etc/hosts"))
        {
            var fields = line.Split('#')[0].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2 || !IPAddress.TryParse(fields[0], out var address)) continue;
            foreach (var name in fields[1..])
                (byName.TryGetValue(name, out var list) ? list : byName[name] = []).Add(address);
        }
        return byName.Where(e => e.Value.All(IPAddress.IsLoopback) && !e.Key.Equals("localhost", StringComparison.OrdinalIgnoreCase)
                                 && !e.Key.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase) && !e.Key.Contains(':'))
                     .Select(e => e.Key).Order(StringComparer.Ordinal).FirstOrDefault();
    }
}

public sealed class LoopbackNameFactAttribute : FactAttribute
{
    public LoopbackNameFactAttribute()
    {
        if (LoopbackName.Find() is null)
            Skip = "no name in /etc/hosts maps to loopback only (or lookups ask DNS first): a name lookup here could leave the machine";
    }
}

/// <summary>A fact that runs only where the machine has an own non-loopback address, and says so when skipped.</summary>
public sealed class OwnAddressFactAttribute : FactAttribute
{
    public OwnAddressFactAttribute()
    {
        if (OwnAddress.Find() is null)
            Skip = "this machine has no non-loopback interface address (only loopback): nothing to bind the test server to";
    }
}
