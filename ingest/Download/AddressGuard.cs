using System.Net;

namespace SSeg.Ingest.Download;

/// <summary>
/// SSRF guard: a crawler of public images must reach public addresses only. Refused: the special-purpose ranges
/// that are not globally reachable (<see cref="SpecialPurposeAddresses"/>: loopback, private, link-local and
/// metadata, CGNAT, documentation, benchmarking, reserved, multicast; IPv6 forms judged by the IPv4 address they
/// carry) and this host's own interface addresses (<see cref="HostAddresses"/>), also when carried by NAT64/6to4.
/// </summary>
public static class AddressGuard
{
    public static bool IsBlocked(IPAddress address) => Reason(address) is not null;

    /// <summary>Null when the address may be fetched from; otherwise why not, for the failure detail.</summary>
    public static string? Reason(IPAddress address) => Reason(address, HostAddresses.Machine.Current);

    /// <summary>The same rule against a given list of own addresses (the tests pass one with a public address).</summary>
    internal static string? Reason(IPAddress address, IReadOnlySet<IPAddress> ownAddresses)
    {
        var canonical = SpecialPurposeAddresses.Canonical(address);
        if (ownAddresses.Contains(canonical)) return "this host's own address";
        var special = SpecialPurposeAddresses.Classify(canonical);
        if (special is not null) return special;
        foreach (var (via, v4) in SpecialPurposeAddresses.Embedded(canonical))
            if (ownAddresses.Contains(v4)) return $"{via} of {v4}, this host's own address";
        return null;
    }
}

/// <summary>Thrown from the connect step when every address of a host is refused by the guard.</summary>
public sealed class BlockedAddressException(string host, IPAddress address, string reason)
    : Exception($"{host} resolves to {address}: {reason} (blocked; allow with --allow-private)")
{
    public string Host { get; } = host;
    public IPAddress Address { get; } = address;
}
