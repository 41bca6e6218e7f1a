using System.Diagnostics;
using System.Runtime.CompilerServices;
using SSeg.Shards.Storage;

namespace SSeg.Pipelines.Bench;

/// <summary>Calls of one kind to storage: how many, their total time, and (for listings) the names returned.</summary>
internal sealed record StorageCallCost(int Calls, double Ms, long Names);

/// <summary>
/// A real <see cref="IStorage"/> that also counts and times every call by kind, so `bench shards --commits` can say
/// which storage call of a commit or a barrier poll gets slower as the dataset grows (the backend or the protocol).
/// </summary>
internal sealed class CommitBenchTimedStorage(IStorage inner) : IStorage
{
    /// <summary>Call kinds: probe = size/existence, get = whole-object read, put = whole-object (conditional) write,
    /// publish = staged write + atomic publish, list = listing (names counted), folders, delete, append = a record added
    /// to an append-only object (a journal entry). Reading an append-only object from an offset is a get.</summary>
    public static readonly string[] Kinds = ["probe", "get", "put", "publish", "list", "folders", "delete", "append"];
    private readonly long[] _calls = new long[Kinds.Length];
    private readonly long[] _ticks = new long[Kinds.Length];
    private readonly long[] _names = new long[Kinds.Length];

    public string RootUri => inner.RootUri;

    /// <summary>Totals so far; subtract two snapshots for the cost of what ran between them.</summary>
    public IReadOnlyDictionary<string, StorageCallCost> Snapshot()
    {
        var costs = new Dictionary<string, StorageCallCost>(StringComparer.Ordinal);
        for (var i = 0; i < Kinds.Length; i++)
            costs[Kinds[i]] = new StorageCallCost((int)Interlocked.Read(ref _calls[i]),
                Interlocked.Read(ref _ticks[i]) * 1000.0 / Stopwatch.Frequency, Interlocked.Read(ref _names[i]));
        return costs;
    }

    /// <summary>What ran between snapshot <paramref name="before"/> and <paramref name="after"/>.</summary>
    public static IReadOnlyDictionary<string, StorageCallCost> Between(IReadOnlyDictionary<string, StorageCallCost> before,
        IReadOnlyDictionary<string, StorageCallCost> after) =>
        after.ToDictionary(p => p.Key, p => new StorageCallCost(p.Value.Calls - before[p.Key].Calls, p.Value.Ms - before[p.Key].Ms,
            p.Value.Names - before[p.Key].Names), StringComparer.Ordinal);

    private void Record(int kind, long startTicks, long names = 0)
    {
        Interlocked.Increment(ref _calls[kind]);
        Interlocked.Add(ref _ticks[kind], Stopwatch.GetTimestamp() - startTicks);
        Interlocked.Add(ref _names[kind], names);
    }

    private async Task<T> TimeAsync<T>(int kind, Func<Task<T>> call)
    {
        var start = Stopwatch.GetTimestamp();
        try { return await call(); }
        finally { Record(kind, start); }
    }

    public Task<StorageObjectInfo?> GetInfoAsync(string key, CancellationToken ct = default) => TimeAsync(0, () => inner.GetInfoAsync(key, ct));

    public Task<Stream> OpenReadAsync(string key, CancellationToken ct = default) => TimeAsync(1, () => inner.OpenReadAsync(key, ct));

    public Task<VersionedContent?> ReadVersionedAsync(string key, CancellationToken ct = default) => TimeAsync(1, () => inner.ReadVersionedAsync(key, ct));

    public Task WriteAsync(string key, ReadOnlyMemory<byte> content, CancellationToken ct = default) =>
        TimeAsync(2, async () => { await inner.WriteAsync(key, content, ct); return 0; });

    public Task<string?> TryWriteIfVersionAsync(string key, ReadOnlyMemory<byte> content, string? expectedVersion, CancellationToken ct = default) =>
        TimeAsync(2, () => inner.TryWriteIfVersionAsync(key, content, expectedVersion, ct));

    public Task AppendAsync(string key, ReadOnlyMemory<byte> record, CancellationToken ct = default) =>
        TimeAsync(7, async () => { await inner.AppendAsync(key, record, ct); return 0; });

    public Task<byte[]?> ReadFromAsync(string key, long offset, CancellationToken ct = default) => TimeAsync(1, () => inner.ReadFromAsync(key, offset, ct));

    public async Task<IStagedObject> BeginWriteAsync(string key, CancellationToken ct = default) =>
        new TimedStagedObject(this, await inner.BeginWriteAsync(key, ct));

    public async IAsyncEnumerable<StorageObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct = default)
    {
        // Only the time spent inside the listing counts, not the caller's work between items.
        long names = 0, ticks = 0;
        await using var items = inner.ListAsync(prefix, ct).GetAsyncEnumerator(ct);
        try
        {
            while (true)
            {
                var start = Stopwatch.GetTimestamp();
                var more = await items.MoveNextAsync();
                ticks += Stopwatch.GetTimestamp() - start;
                if (!more) break;
                names++;
                yield return items.Current;
            }
        }
        finally
        {
            Interlocked.Increment(ref _calls[4]);
            Interlocked.Add(ref _ticks[4], ticks);
            Interlocked.Add(ref _names[4], names);
        }
    }

    public Task<IReadOnlyList<string>> ListFoldersAsync(string folderKey, CancellationToken ct = default) => TimeAsync(5, () => inner.ListFoldersAsync(folderKey, ct));

    public Task<bool> DeleteAsync(string key, CancellationToken ct = default) => TimeAsync(6, () => inner.DeleteAsync(key, ct));

    /// <summary>Times the publish step (the data itself is written to the inner object's stream as it comes).</summary>
    private sealed class TimedStagedObject(CommitBenchTimedStorage owner, IStagedObject inner) : IStagedObject
    {
        public string Key => inner.Key;
        public Stream Stream => inner.Stream;

        public async Task CommitAsync(CancellationToken ct = default)
        {
            var start = Stopwatch.GetTimestamp();
            try { await inner.CommitAsync(ct); }
            finally { owner.Record(3, start); }
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
