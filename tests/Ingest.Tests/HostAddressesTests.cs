using System.Net;
using System.Net.NetworkInformation;
using SSeg.Ingest.Download;

namespace SSeg.Ingest.Tests;

/// <summary>
/// When the list of own addresses is read again. The interfaces of a test machine cannot be changed from a test,
/// so the reader here is a list the test changes, and the clock one it moves.
/// </summary>
public sealed class HostAddressesTests
{
    private sealed class ManualClock : TimeProvider
    {
        public long Ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => Ticks;
    }

    private readonly ManualClock _clock = new();
    private List<IPAddress> _interfaces = [IPAddress.Parse("8.8.8.8")];
    private int _reads;

    private HostAddresses Create() => new(() => { _reads++; return _interfaces; }, _clock, TimeSpan.FromSeconds(2));

    [Fact]
    public void The_list_is_reused_until_it_is_older_than_the_maximum_age()
    {
        var addresses = Create();
        Assert.Contains(IPAddress.Parse("8.8.8.8"), addresses.Current);
        _interfaces = [IPAddress.Parse("1.1.1.1")];
        _clock.Ticks += TimeSpan.FromSeconds(1.9).Ticks;
        Assert.Contains(IPAddress.Parse("8.8.8.8"), addresses.Current);
        Assert.Equal(1, _reads);

        _clock.Ticks += TimeSpan.FromSeconds(0.2).Ticks;
        Assert.Equal([IPAddress.Parse("1.1.1.1")], addresses.Current);
        Assert.Equal(2, _reads);
    }

    [Fact]
    public void An_address_change_notice_makes_the_next_lookup_read_again()
    {
        var addresses = Create();
        _ = addresses.Current;
        _interfaces = [IPAddress.Parse("1.1.1.1")];
        addresses.Invalidate();
        Assert.Equal([IPAddress.Parse("1.1.1.1")], addresses.Current);
    }

    [Fact]
    public void Mapped_and_scoped_forms_are_stored_as_the_address_the_guard_looks_up()
    {
        _interfaces = [IPAddress.Parse("::ffff:8.8.8.8"), IPAddress.Parse("2606:4700::1111%3")];
        var current = Create().Current;
        Assert.Contains(IPAddress.Parse("8.8.8.8"), current);
        Assert.Contains(IPAddress.Parse("2606:4700::1111"), current);
    }

    [Fact]
    public void A_failed_read_keeps_the_last_list_and_is_tried_again()
    {
        var fail = true;
        var flaky = new HostAddresses(() => fail ? throw new NetworkInformationException() : _interfaces, _clock, TimeSpan.Zero);
        Assert.Empty(flaky.Current);
        fail = false;
        Assert.Contains(IPAddress.Parse("8.8.8.8"), flaky.Current);
        fail = true;
        Assert.Contains(IPAddress.Parse("8.8.8.8"), flaky.Current);
    }
}
