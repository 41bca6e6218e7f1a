using System.Net;
using SSeg.Ingest.Download;

namespace SSeg.Ingest.Tests;

/// <summary>The address table of the SSRF guard. Addresses are only parsed here, never contacted.</summary>
public sealed class AddressGuardTests
{
    private static readonly IReadOnlySet<IPAddress> NoOwnAddresses = new HashSet<IPAddress>();

    [Theory]
    // IPv4 special-purpose ranges, first and last address where the edge matters.
    [InlineData("0.0.0.0")] [InlineData("0.255.255.255")]
    [InlineData("10.0.0.0")] [InlineData("10.255.255.255")]
    [InlineData("100.64.0.0")] [InlineData("100.127.255.255")]
    [InlineData("127.0.0.1")] [InlineData("127.255.255.254")]
    [InlineData("169.254.169.254")]
    [InlineData("172.16.0.0")] [InlineData("172.31.255.255")]
    [InlineData("192.0.0.0")] [InlineData("192.0.0.255")]
    [InlineData("192.0.2.0")] [InlineData("192.0.2.2")] [InlineData("192.0.2.255")]
    [InlineData("192.88.99.1")]
    [InlineData("192.168.0.1")] [InlineData("192.168.255.255")]
    [InlineData("198.18.0.0")] [InlineData("198.19.255.255")]
    [InlineData("198.51.100.0")] [InlineData("198.51.100.255")]
    [InlineData("203.0.113.0")] [InlineData("203.0.113.255")]
    [InlineData("224.0.0.1")] [InlineData("239.255.255.250")]
    [InlineData("240.0.0.0")] [InlineData("255.255.255.255")]
    // IPv6.
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("::7f00:1")]                 // deprecated IPv4-compatible form of 127.0.0.1
    [InlineData("::ffff:127.0.0.1")] [InlineData("::ffff:10.1.2.3")] [InlineData("::ffff:192.0.2.2")]
    [InlineData("::ffff:0:7f00:1")]          // SIIT "IPv4-translated", outside global unicast
    [InlineData("64:ff9b::7f00:1")] [InlineData("64:ff9b::a9fe:a9fe")] [InlineData("64:ff9b::c000:202")]
    [InlineData("64:ff9b::1:0:7f00:1")]      // 64:ff9b::/32 but not the /96 NAT64 prefix: reserved
    [InlineData("64:ff9b:1::7f00:1")]        // local-use NAT64, /96 layout: 127.0.0.1
    [InlineData("64:ff9b:1:0:a:0:800:0")]    // local-use NAT64, /64 layout: 10.0.0.8 (the /96 reading, 8.0.0.0, is public)
    [InlineData("64:ff9b:1:7f00:0:100::")]   // local-use NAT64, /48 layout: 127.0.0.1
    [InlineData("64:ff9b:1:0:ff00::808:808")] // reserved octet not zero: not a valid translation
    [InlineData("100::")] [InlineData("100::ffff:ffff:ffff:ffff")]
    [InlineData("100:0:0:1::1")]
    [InlineData("2001::1")] [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2")] [InlineData("2001:1ff:ffff::1")]
    [InlineData("2001:db8::1")] [InlineData("2001:db8:ffff::1")]
    [InlineData("2002:7f00:1::1")] [InlineData("2002:c0a8:101::1")] [InlineData("2002:a9fe:a9fe::")]
    [InlineData("3fff::1")]
    [InlineData("5f00::1")]
    [InlineData("fc00::1")] [InlineData("fd00::2")]
    [InlineData("fe80::1")] [InlineData("febf::1")] [InlineData("fec0::1")]
    [InlineData("ff02::1")] [InlineData("ff0e::1")]
    [InlineData("4000::1")]                  // outside 2000::/3: unassigned
    public void Special_purpose_addresses_are_refused(string address)
    {
        var reason = AddressGuard.Reason(IPAddress.Parse(address), NoOwnAddresses);
        Assert.NotNull(reason);
        Assert.True(AddressGuard.IsBlocked(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("8.8.8.8")] [InlineData("1.1.1.1")] [InlineData("151.101.1.69")]
    [InlineData("9.255.255.255")] [InlineData("11.0.0.0")]
    [InlineData("100.63.255.255")] [InlineData("100.128.0.0")]
    [InlineData("126.255.255.255")] [InlineData("128.0.0.1")]
    [InlineData("169.253.255.255")] [InlineData("169.255.0.0")]
    [InlineData("172.15.255.255")] [InlineData("172.32.0.0")]
    [InlineData("192.0.1.255")] [InlineData("192.0.3.0")] [InlineData("192.167.255.255")] [InlineData("192.169.0.0")]
    [InlineData("198.17.255.255")] [InlineData("198.20.0.0")]
    [InlineData("198.51.99.255")] [InlineData("198.51.101.0")]
    [InlineData("203.0.112.255")] [InlineData("203.0.114.0")]
    [InlineData("223.255.255.254")]
    [InlineData("2606:4700::1111")] [InlineData("2001:4860:4860::8888")] [InlineData("2a00:1450:4001::1")]
    [InlineData("2001:200::1")]              // just past 2001::/23
    [InlineData("2001:db9::1")]              // just past 2001:db8::/32
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")] [InlineData("64:ff9b:1::808:808")]
    [InlineData("2002:808:808::1")]
    public void Public_addresses_pass(string address)
    {
        Assert.Null(AddressGuard.Reason(IPAddress.Parse(address), NoOwnAddresses));
        Assert.False(AddressGuard.IsBlocked(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("64:ff9b::7f00:1", "127.0.0.1", "loopback")]
    [InlineData("2002:c0a8:101::1", "192.168.1.1", "private-use")]
    [InlineData("::ffff:169.254.169.254", "169.254.0.0/16", "metadata")]
    [InlineData("203.0.113.9", "203.0.113.0/24", "documentation")]
    public void The_reason_names_the_range_and_the_carried_IPv4(string address, string part1, string part2)
    {
        var reason = AddressGuard.Reason(IPAddress.Parse(address), NoOwnAddresses);
        Assert.Contains(part1, reason);
        Assert.Contains(part2, reason);
    }

    [Theory]
    [InlineData("8.8.8.8", "this host's own address")]
    [InlineData("::ffff:8.8.8.8", "this host's own address")]
    [InlineData("2606:4700::1111", "this host's own address")]
    [InlineData("64:ff9b::808:808", "NAT64 (64:ff9b::/96) of 8.8.8.8, this host's own address")]
    [InlineData("2002:808:808::1", "6to4 (2002::/16) of 8.8.8.8, this host's own address")]
    [InlineData("8.8.4.4", null)]
    public void Own_addresses_are_refused_even_when_public_in_every_form_that_reaches_them(string address, string? reason)
    {
        // A machine with a public address on its interface (a cloud VM) must not crawl itself.
        var own = new HashSet<IPAddress> { IPAddress.Parse("8.8.8.8"), IPAddress.Parse("2606:4700::1111") };
        Assert.Equal(reason, AddressGuard.Reason(IPAddress.Parse(address), own));
    }

    [Fact]
    public void Every_address_of_this_machines_interfaces_is_refused()
    {
        var interfaces = HostAddresses.ReadInterfaces().Select(SpecialPurposeAddresses.Canonical).ToList();
        Assert.NotEmpty(interfaces);   // loopback at least
        var current = HostAddresses.Machine.Current;
        foreach (var address in interfaces)
        {
            Assert.Contains(address, current);
            Assert.Equal("this host's own address", AddressGuard.Reason(address));
        }
    }
}
