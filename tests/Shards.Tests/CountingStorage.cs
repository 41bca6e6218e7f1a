using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using SSeg.Shards.Storage;

namespace SSeg.Shards.Tests;

/// <summary>
/// A real storage backend that also records which keys each call touched, so a test can assert what a reader
/// fetched and listed (the calls still go to the real backend). It can also hold appends to the limits of other stores
/// (<see cref="AppendsPerObject"/>, <see cref="TakesNoAppends"/>), answering as <see cref="IStorage.AppendAsync"/> documents.
/// </summary>
internal sealed class CountingStorage(IStorage inner) : IStorage
{
    private readonly ConcurrentQueue<(string Call, string Key)> _calls = new();

    public string RootUri => inner.RootUri;

    /// <summary>The backend whose calls are counted.</summary>
    public IStorage Inner => inner;

    /// <summary>Calls since the last <see cref="Clear"/>: ("get", key), ("probe", key), ("list", prefix), ("put", key), ...</summary>
    public IReadOnlyList<(string Call, string Key)> Calls => _calls.ToList();

    /// <summary>Names the listings returned since the last <see cref="Clear"/>.</summary>
    public long NamesListed => Interlocked.Read(ref _namesListed);
    private long _namesListed;

    /// <summary>Appends each object takes before answering <see cref="AppendLimitReachedException"/> (an append blob's 50,000), or null for the backend's own.</summary>
    public int? AppendsPerObject { get; set; }
    private readonly ConcurrentDictionary<string, int> _appends = new(StringComparer.Ordinal);

    /// <summary>Awaited before each put (a conditional write, such as a commit object's creation) goes to the backend: a writer's stall.</summary>
    public Func<string, Task>? BeforePut { get; set; }

    /// <summary>Awaited before each listing goes to the backend, with its prefix: something that happens just before a reader lists.</summary>
    public Func<string, Task>? BeforeList { get; set; }

    /// <summary>Answers every append with <see cref="NotSupportedException"/>, as a store without append blobs does.</summary>
    public bool TakesNoAppends { get; set; }

    public void Clear()
    {
        _calls.Clear();
        Interlocked.Exchange(ref _namesListed, 0);
    }

    public Task<StorageObjectInfo?> GetInfoAsync(string key, CancellationToken ct = default) { _calls.Enqueue(("probe", key)); return inner.GetInfoAsync(key, ct); }
    public Task<Stream> OpenReadAsync(string key, CancellationToken ct = default) { _calls.Enqueue(("get", key)); return inner.OpenReadAsync(key, ct); }
    public Task<VersionedContent?> ReadVersionedAsync(string key, CancellationToken ct = default) { _calls.Enqueue(("get", key)); return inner.ReadVersionedAsync(key, ct); }
    public Task WriteAsync(string key, ReadOnlyMemory<byte> content, CancellationToken ct = default) { _calls.Enqueue(("put", key)); return inner.WriteAsync(key, content, ct); }
    public async Task<string?> TryWriteIfVersionAsync(string key, ReadOnlyMemory<byte> content, string? expectedVersion, CancellationToken ct = default)
    {
        _calls.Enqueue(("put", key));
        if (BeforePut is { } stall) await stall(key);
        return await inner.TryWriteIfVersionAsync(key, content, expectedVersion, ct);
    }
    public Task AppendAsync(string key, ReadOnlyMemory<byte> record, CancellationToken ct = default)
    {
        _calls.Enqueue(("append", key));
        if (TakesNoAppends) throw new NotSupportedException($"{RootUri} does not take appends (a test's store).");
        if (AppendsPerObject is { } limit && _appends.AddOrUpdate(key, 1, (_, n) => n + 1) > limit)
            throw new AppendLimitReachedException($"{RootUri}/{key} holds the {limit} appends this test's store takes.", new InvalidOperationException());
        return inner.AppendAsync(key, record, ct);
    }
    public Task<byte[]?> ReadFromAsync(string key, long offset, CancellationToken ct = default) { _calls.Enqueue(("get", key)); return inner.ReadFromAsync(key, offset, ct); }
    public Task<IStagedObject> BeginWriteAsync(string key, CancellationToken ct = default) { _calls.Enqueue(("publish", key)); return inner.BeginWriteAsync(key, ct); }
    public Task<IReadOnlyList<string>> ListFoldersAsync(string folderKey, CancellationToken ct = default) { _calls.Enqueue(("folders", folderKey)); return inner.ListFoldersAsync(folderKey, ct); }
    public Task<bool> DeleteAsync(string key, CancellationToken ct = default) { _calls.Enqueue(("delete", key)); return inner.DeleteAsync(key, ct); }

    public async IAsyncEnumerable<StorageObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct = default)
    {
        _calls.Enqueue(("list", prefix));
        if (BeforeList is { } before) await before(prefix);
        await foreach (var item in inner.ListAsync(prefix, ct))
        {
            Interlocked.Increment(ref _namesListed);
            yield return item;
        }
    }
}
