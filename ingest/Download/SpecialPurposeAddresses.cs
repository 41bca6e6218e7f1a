using System.Net;

namespace SSeg.Ingest.Download;

/// <summary>
/// Addresses that are not public: the entries of IANA's IPv4 and IPv6 special-purpose address registries that
/// are not globally reachable, plus multicast, and IPv6 outside global unicast. IPv6 forms that carry an IPv4
/// address (mapped, NAT64, 6to4) are judged by the IPv4 address they carry, since that is where packets end up.
/// A pure lookup; the host's own interface addresses are <see cref="HostAddresses"/>.
/// </summary>
internal static class SpecialPurposeAddresses
{
    private static readonly IpPrefix[] V4 =
    [
        new("0.0.0.0/8", "\"this network\""),
        new("10.0.0.0/8", "private-use"),
        new("100.64.0.0/10", "shared address space (carrier-grade NAT)"),
        new("127.0.0.0/8", "loopback"),
        new("169.254.0.0/16", "link-local (cloud metadata)"),
        new("172.16.0.0/12", "private-use"),
        // The whole /24, also 192.0.0.9 and .10 (anycast PCP and TURN): no image is served from there.
        new("192.0.0.0/24", "IETF protocol assignments"),
        new("192.0.2.0/24", "documentation (TEST-NET-1)"),
        new("192.88.99.0/24", "deprecated 6to4 relay anycast"),
        new("192.168.0.0/16", "private-use"),
        new("198.18.0.0/15", "benchmarking"),
        new("198.51.100.0/24", "documentation (TEST-NET-2)"),
        new("203.0.113.0/24", "documentation (TEST-NET-3)"),
        new("224.0.0.0/4", "multicast"),
        new("240.0.0.0/4", "reserved (and 255.255.255.255 broadcast)"),
    ];

    private static readonly IpPrefix[] V6 =
    [
        new("::/128", "unspecified"),
        new("::1/128", "loopback"),
        new("100::/64", "discard-only"),
        new("100:0:0:1::/64", "dummy prefix"),
        // Teredo (2001::/32), ORCHID, benchmarking and the few anycast services in it: none serves images.
        new("2001::/23", "IETF protocol assignments"),
        new("2001:db8::/32", "documentation"),
        new("3fff::/20", "documentation"),
        new("5f00::/16", "segment routing (SRv6) SIDs"),
        new("fc00::/7", "unique local"),
        new("fe80::/10", "link-local"),
        new("fec0::/10", "deprecated site-local"),
        new("ff00::/8", "multicast"),
    ];

    private static readonly IpPrefix Nat64 = new("64:ff9b::/96", "NAT64");
    private static readonly IpPrefix Nat64Local = new("64:ff9b:1::/48", "local-use NAT64");
    private static readonly IpPrefix SixToFour = new("2002::/16", "6to4");

    // Everything else outside 2000::/3 is IETF-reserved or unassigned (e.g. the deprecated IPv4-compatible ::/96).
    private static readonly IpPrefix GlobalUnicast = new("2000::/3", "global unicast");

    /// <summary>
    /// Where RFC 6052 puts the IPv4 address after a NAT64 prefix of each length that fits inside 64:ff9b:1::/48:
    /// its bytes, skipping the reserved octet (byte 8), and the first suffix byte (the suffix is zero; 16: none).
    /// </summary>
    private static readonly (int[] Bytes, int SuffixFrom)[] LocalNat64Layouts =
    [
        ([6, 7, 9, 10], 11),     // /48
        ([7, 9, 10, 11], 12),    // /56
        ([9, 10, 11, 12], 13),   // /64
        ([12, 13, 14, 15], 16),  // /96, what DNS64 uses in practice
    ];

    /// <summary>IPv4-mapped IPv6 as the IPv4 address it is, and without an IPv6 scope id: the form to look up.</summary>
    public static IPAddress Canonical(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) return address.MapToIPv4();
        return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && address.ScopeId != 0
            ? new IPAddress(address.GetAddressBytes())
            : address;
    }

    /// <summary>Null for a public address; otherwise why it is not public, e.g. "loopback (127.0.0.0/8)".</summary>
    public static string? Classify(IPAddress address)
    {
        var bytes = Canonical(address).GetAddressBytes();
        if (bytes.Length == 4) return Match(V4, bytes)?.ToString();
        if (bytes.Length != 16) return "not an IP address";
        var special = Match(V6, bytes);
        if (special is not null) return special.ToString();
        if (Nat64Local.Contains(bytes) && bytes[8] != 0)
            return $"{Nat64Local} without the zero octet RFC 6052 requires";
        var embedded = Embedded(bytes);
        if (embedded.Count > 0)
        {
            foreach (var (via, v4) in embedded)
                if (Match(V4, v4.GetAddressBytes()) is { } reason) return $"{via} of {v4}, {reason}";
            return null;
        }
        return GlobalUnicast.Contains(bytes) ? null : $"outside {GlobalUnicast}: reserved";
    }

    /// <summary>
    /// The IPv4 addresses an IPv6 address carries (NAT64, 6to4), each with the form that carries it. For
    /// 64:ff9b:1::/48 the operator picks the prefix length, so every RFC 6052 layout whose suffix is zero counts.
    /// </summary>
    public static IReadOnlyList<(string Via, IPAddress V4)> Embedded(IPAddress address)
    {
        var bytes = Canonical(address).GetAddressBytes();
        return bytes.Length == 16 ? Embedded(bytes) : [];
    }

    private static List<(string Via, IPAddress V4)> Embedded(byte[] b)
    {
        var found = new List<(string, IPAddress)>();
        if (Nat64.Contains(b))
            found.Add((Nat64.ToString(), new IPAddress(b.AsSpan(12, 4))));
        else if (Nat64Local.Contains(b) && b[8] == 0)
        {
            foreach (var (at, suffixFrom) in LocalNat64Layouts)
                if (b.AsSpan(suffixFrom).IndexOfAnyExcept((byte)0) < 0)
                    found.Add((Nat64Local.ToString(), new IPAddress(new[] { b[at[0]], b[at[1]], b[at[2]], b[at[3]] })));
        }
        else if (SixToFour.Contains(b))
            found.Add((SixToFour.ToString(), new IPAddress(b.AsSpan(2, 4))));
        return found;
    }

    private static IpPrefix? Match(IpPrefix[] table, ReadOnlySpan<byte> bytes)
    {
        foreach (var prefix in table)
            if (prefix.Contains(bytes)) return prefix;
        return null;
    }
}
