using System.Net;

namespace SSeg.Pipelines.Hosting;

/// <summary>
/// Slows password guessing against the dashboard's basic auth: after <see cref="LoginLockoutSettings.FailuresBeforeLockout"/>
/// wrong logins in a row a client address is locked out, first for LockoutSeconds, doubling with each further
/// failure up to MaxLockoutSeconds. A correct login resets the address. Thread-safe (one lock: logins are rare
/// and the work under it is tiny); memory is bounded by MaxTrackedClients.
/// </summary>
public sealed class LoginThrottle(LoginLockoutSettings settings, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Dictionary<IPAddress, Entry> _clients = [];
    private readonly Lock _lock = new();

    private sealed class Entry
    {
        public int Failures;
        public DateTimeOffset LastFailure;
        public DateTimeOffset LockedUntil;
    }

    /// <summary>How long the address is still locked out (zero when it may try).</summary>
    public TimeSpan LockedFor(IPAddress? address)
    {
        if (address is null) return TimeSpan.Zero;
        lock (_lock)
        {
            if (!_clients.TryGetValue(address, out var entry)) return TimeSpan.Zero;
            var left = entry.LockedUntil - _clock.GetUtcNow();
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    public void Failed(IPAddress? address)
    {
        if (address is null) return;
        var now = _clock.GetUtcNow();
        lock (_lock)
        {
            if (!_clients.TryGetValue(address, out var entry))
            {
                if (_clients.Count >= settings.MaxTrackedClients) Prune(now);
                // Still full (a flood of fresh addresses): stop tracking new ones rather than grow without bound;
                // addresses already tracked, the ones actually guessing, stay throttled.
                if (_clients.Count >= settings.MaxTrackedClients) return;
                _clients[address] = entry = new Entry();
            }
            entry.Failures++;
            entry.LastFailure = now;
            var over = entry.Failures - settings.FailuresBeforeLockout;
            if (over < 0) return;
            var seconds = Math.Min(settings.MaxLockoutSeconds, settings.LockoutSeconds * Math.Pow(2, Math.Min(over, 30)));
            entry.LockedUntil = now + TimeSpan.FromSeconds(seconds);
        }
    }

    public void Succeeded(IPAddress? address)
    {
        if (address is null) return;
        lock (_lock) _clients.Remove(address);
    }

    public int TrackedClients { get { lock (_lock) return _clients.Count; } }

    // An address whose lockout ended and whose last failure is older than the longest lockout is forgotten.
    private void Prune(DateTimeOffset now)
    {
        var forget = TimeSpan.FromSeconds(settings.MaxLockoutSeconds);
        foreach (var (address, entry) in _clients.ToList())
            if (entry.LockedUntil <= now && now - entry.LastFailure > forget) _clients.Remove(address);
    }
}
