namespace SSeg.Ingest.Download;

/// <summary>
/// Per-host politeness: at most N requests in flight to one host and a minimum interval between request starts.
/// Entries are removed when a host has no waiter and no request in flight, so memory follows the hosts in use.
/// </summary>
public sealed class HostGate(int perHostConcurrency, TimeSpan defaultMinInterval, IReadOnlyDictionary<string, TimeSpan> intervals)
{
    private sealed class HostState(int concurrency)
    {
        public readonly SemaphoreSlim Slots = new(concurrency, concurrency);
        public int Users;
        public long NextStartTicks;
    }

    private readonly Dictionary<string, HostState> _hosts = new(StringComparer.OrdinalIgnoreCase);

    public int TrackedHosts { get { lock (_hosts) return _hosts.Count; } }

    public async Task<IDisposable> EnterAsync(string host, CancellationToken ct)
    {
        HostState state;
        lock (_hosts)
        {
            if (!_hosts.TryGetValue(host, out state!))
                _hosts[host] = state = new HostState(perHostConcurrency);
            state.Users++;
        }
        try
        {
            await state.Slots.WaitAsync(ct);
        }
        catch
        {
            Release(host, state, slotHeld: false);
            throw;
        }
        var interval = intervals.TryGetValue(host, out var specific) ? specific : defaultMinInterval;
        if (interval > TimeSpan.Zero)
        {
            TimeSpan wait;
            lock (state)
            {
                var now = Environment.TickCount64;
                var start = Math.Max(now, state.NextStartTicks);
                state.NextStartTicks = start + (long)interval.TotalMilliseconds;
                wait = TimeSpan.FromMilliseconds(start - now);
            }
            if (wait > TimeSpan.Zero)
            {
                try { await Task.Delay(wait, ct); }
                catch { Release(host, state, slotHeld: true); throw; }
            }
        }
        return new Lease(this, host, state);
    }

    private void Release(string host, HostState state, bool slotHeld)
    {
        if (slotHeld) state.Slots.Release();
        lock (_hosts)
        {
            state.Users--;
            // Keep an entry with a pending interval so the spacing still holds for the next request.
            if (state.Users == 0 && state.NextStartTicks <= Environment.TickCount64)
                _hosts.Remove(host);
        }
    }

    private sealed class Lease(HostGate gate, string host, HostState state) : IDisposable
    {
        private int _disposed;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) gate.Release(host, state, slotHeld: true);
        }
    }
}
