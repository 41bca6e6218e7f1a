using System.Collections.Frozen;
using System.Net;
using System.Net.NetworkInformation;

namespace SSeg.Ingest.Download;

/// <summary>
/// The addresses of this host's own interfaces, all of them, public ones too: a service bound to 0.0.0.0 (or ::)
/// answers on each, so a URL naming one reaches this machine. Re-read after the OS reports an address change
/// and, because that event is not delivered everywhere (some containers), whenever the last read is older than
/// the maximum age. Thread-safe; concurrent callers at expiry may both re-read, which is harmless.
/// </summary>
internal sealed class HostAddresses
{
    private sealed record Snapshot(FrozenSet<IPAddress> Addresses, long ReadAt);

    private readonly Func<IEnumerable<IPAddress>> _read;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _maxAge;
    private Snapshot? _snapshot;

    public HostAddresses(Func<IEnumerable<IPAddress>> read, TimeProvider clock, TimeSpan maxAge)
    {
        _read = read;
        _clock = clock;
        _maxAge = maxAge;
    }

    /// <summary>The interfaces of this machine, watched for changes; what the download guard uses.</summary>
    public static HostAddresses Machine { get; } = WatchMachine();

    public IReadOnlySet<IPAddress> Current
    {
        get
        {
            var snapshot = Volatile.Read(ref _snapshot);
            if (snapshot is not null && _clock.GetElapsedTime(snapshot.ReadAt) < _maxAge) return snapshot.Addresses;
            FrozenSet<IPAddress> addresses;
            try
            {
                addresses = _read().Select(SpecialPurposeAddresses.Canonical).ToFrozenSet();
            }
            catch (NetworkInformationException)
            {
                // Keep the last list and try again on the next call; a guard that throws would fail every
                // download. Loopback and private ranges stay refused by the table meanwhile.
                return snapshot?.Addresses ?? FrozenSet<IPAddress>.Empty;
            }
            Volatile.Write(ref _snapshot, new Snapshot(addresses, _clock.GetTimestamp()));
            return addresses;
        }
    }

    /// <summary>Forget the list; the next <see cref="Current"/> reads the interfaces again.</summary>
    public void Invalidate() => Volatile.Write(ref _snapshot, null);

    /// <summary>Every unicast address of every interface (up or down: a down one can come up between reads).</summary>
    public static IEnumerable<IPAddress> ReadInterfaces() =>
        NetworkInterface.GetAllNetworkInterfaces().SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(u => u.Address);

    private static HostAddresses WatchMachine()
    {
        var machine = new HostAddresses(ReadInterfaces, TimeProvider.System, TimeSpan.FromSeconds(2));
        try
        {
            NetworkChange.NetworkAddressChanged += (_, _) => machine.Invalidate();
        }
        catch (Exception e) when (e is NetworkInformationException or PlatformNotSupportedException)
        {
            // No change notifications here: the maximum age alone bounds how stale the list can be.
        }
        return machine;
    }
}
