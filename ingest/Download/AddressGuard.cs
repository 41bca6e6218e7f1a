using System.Net;
using System.Net.Sockets;

namespace SSeg.Ingest.Download;

/// <summary>SSRF guard: addresses a crawler must not reach unless private addresses are explicitly allowed.</summary>
public static class AddressGuard
{
    public static bool IsBlocked(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)) return true;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] switch
            {
                0 => true,                                   // 0.0.0.0/8 "this network"
                10 => true,                                  // private
                100 => b[1] >= 64 && b[1] <= 127,            // carrier-grade NAT 100.64/10
                127 => true,                                 // loopback
                169 => b[1] == 254,                          // link-local, cloud metadata
                172 => b[1] >= 16 && b[1] <= 31,             // private
                192 => (b[1] == 168) || (b[1] == 0 && b[2] == 0), // private, IETF protocol assignments
                198 => b[1] == 18 || b[1] == 19,             // benchmarking
                >= 224 => true,                              // multicast, reserved, broadcast
                _ => false,
            };
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast) return true;
            var b = address.GetAddressBytes();
            if ((b[0] & 0xfe) == 0xfc) return true;          // unique local fc00::/7
            return false;
        }
        return true;
    }
}

/// <summary>Thrown from the connect step when every address of a host is refused by the guard.</summary>
public sealed class BlockedAddressException(string host, IPAddress address)
    : Exception($"{host} resolves to {address}, a loopback/private/link-local address (blocked; allow with --allow-private)")
{
    public string Host { get; } = host;
    public IPAddress Address { get; } = address;
}
