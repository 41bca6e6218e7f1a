using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using SSeg.Shards.Storage;

namespace SSeg.Shards.Tests;

/// <summary>
/// A real storage backend that also records which keys each call touched, so a test can assert what a reader
/// fetched and listed (the calls still go to the real backend: nothing is simulated).
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

    public void Clear()
    {
        _calls.Clear();
        Interlocked.Exchange(ref _namesListed, 0);
    }

    public Task<StorageObjectInfo?> GetInfoAsync(string key, CancellationToken ct = default) { _calls.Enqueue(("probe", key)); return inner.GetInfoAsync(key, ct); }
    public Task<Stream> OpenReadAsync(string key, CancellationToken ct = default) { _calls.Enqueue(("get", key)); return inner.OpenReadAsync(key, ct); }
    public Task<VersionedContent?> ReadVersionedAsync(string key, CancellationToken ct = default) { _calls.Enqueue(("get", key)); return inner.ReadVersionedAsync(key, ct); }
    public Task WriteAsync(string key, ReadOnlyMemory<byte> content, CancellationToken ct = default) { _calls.Enqueue(("put", key)); return inner.WriteAsync(key, content, ct); }
    public Task<string?> TryWriteIfVersionAsync(string key, ReadOnlyMemory<byte> content, string? expectedVersion, CancellationToken ct = default)
    {
        _calls.Enqueue(("put", key));
        return inner.TryWriteIfVersionAsync(key, content, expectedVersion, ct);
    }
    public Task AppendAsync(string key, ReadOnlyMemory<byte> record, CancellationToken ct = default) { _calls.Enqueue(("append", key)); return inner.AppendAsync(key, record, ct); }
    public Task<byte[]?> ReadFromAsync(string key, long offset, CancellationToken ct = default) { _calls.Enqueue(("get", key)); return inner.ReadFromAsync(key, offset, ct); }
    public Task<IStagedObject> BeginWriteAsync(string key, CancellationToken ct = default) { _calls.Enqueue(("publish", key)); return inner.BeginWriteAsync(key, ct); }
    public Task<IReadOnlyList<string>> ListFoldersAsync(string folderKey, CancellationToken ct = default) { _calls.Enqueue(("folders", folderKey)); return inner.ListFoldersAsync(folderKey, ct); }
    public Task<bool> DeleteAsync(string key, CancellationToken ct = default) { _calls.Enqueue(("delete", key)); return inner.DeleteAsync(key, ct); }

    public async IAsyncEnumerable<StorageObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct = default)
    {
        _calls.Enqueue(("list", prefix));
        await foreach (var item in inner.ListAsync(prefix, ct))
        {
            Interlocked.Increment(ref _namesListed);
            yield return item;
        }
    }
}
