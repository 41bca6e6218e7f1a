using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace SSeg.Shards.Storage;

/// <summary>
/// <see cref="IStorage"/> on an Azure Blob container (<c>az://container/prefix</c>). Staged writes upload
/// uncommitted blocks and publish them with one Put Block List (atomic: readers see the old blob or the new
/// one); compare-and-swap uses ETag conditions (If-Match / If-None-Match: *).
/// </summary>
public sealed class AzureBlobStorage : IStorage
{
    /// <summary>Size of the blocks staged by <see cref="BeginWriteAsync"/>.</summary>
    public const int BlockSize = 8 << 20;

    private readonly BlobContainerClient _container;
    private readonly string _prefix;
    private readonly SemaphoreSlim _createOnce = new(1, 1);
    private volatile bool _containerReady;

    /// <summary>Connects to <paramref name="containerName"/> (created on first write) and keeps all keys under <paramref name="prefix"/>.</summary>
    public AzureBlobStorage(string connectionString, string containerName, string prefix = "")
    {
        _container = new BlobContainerClient(connectionString, containerName);
        _prefix = prefix.Trim('/');
        RootUri = _prefix.Length == 0 ? $"az://{containerName}" : $"az://{containerName}/{_prefix}";
    }

    /// <inheritdoc />
    public string RootUri { get; }

    private string BlobName(string key) => _prefix.Length == 0 ? StorageKeys.Validate(key) : $"{_prefix}/{StorageKeys.Validate(key)}";

    private BlockBlobClient Blob(string key) => _container.GetBlockBlobClient(BlobName(key));

    private async Task EnsureContainerAsync(CancellationToken ct)
    {
        if (_containerReady) return;
        await _createOnce.WaitAsync(ct);
        try
        {
            if (!_containerReady) await _container.CreateIfNotExistsAsync(cancellationToken: ct);
            _containerReady = true;
        }
        finally { _createOnce.Release(); }
    }

    /// <inheritdoc />
    public async Task<StorageObjectInfo?> GetInfoAsync(string key, CancellationToken ct = default)
    {
        try
        {
            var props = (await Blob(key).GetPropertiesAsync(cancellationToken: ct)).Value;
            return new StorageObjectInfo(key, props.ContentLength, props.LastModified, props.ETag.ToString());
        }
        catch (RequestFailedException e) when (e.Status == 404) { return null; }
    }

    /// <inheritdoc />
    public async Task<Stream> OpenReadAsync(string key, CancellationToken ct = default)
    {
        try
        {
            return await Blob(key).OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { BufferSize = 4 << 20 }, ct);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new FileNotFoundException($"Object '{key}' not found under {RootUri}.", key, e);
        }
    }

    /// <inheritdoc />
    public async Task<VersionedContent?> ReadVersionedAsync(string key, CancellationToken ct = default)
    {
        try
        {
            var result = (await Blob(key).DownloadContentAsync(ct)).Value;
            return new VersionedContent(result.Content.ToArray(), result.Details.ETag.ToString());
        }
        catch (RequestFailedException e) when (e.Status == 404) { return null; }
    }

    /// <inheritdoc />
    public async Task WriteAsync(string key, ReadOnlyMemory<byte> content, CancellationToken ct = default)
    {
        await EnsureContainerAsync(ct);
        await _container.GetBlobClient(BlobName(key)).UploadAsync(new BinaryData(content), overwrite: true, ct);
    }

    /// <inheritdoc />
    public async Task<string?> TryWriteIfVersionAsync(string key, ReadOnlyMemory<byte> content, string? expectedVersion, CancellationToken ct = default)
    {
        await EnsureContainerAsync(ct);
        var conditions = expectedVersion is null
            ? new BlobRequestConditions { IfNoneMatch = ETag.All }
            : new BlobRequestConditions { IfMatch = new ETag(expectedVersion) };
        try
        {
            var response = await _container.GetBlobClient(BlobName(key))
                .UploadAsync(new BinaryData(content), new BlobUploadOptions { Conditions = conditions }, ct);
            return response.Value.ETag.ToString();
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412) { return null; }
    }

    /// <inheritdoc />
    public async Task<IStagedObject> BeginWriteAsync(string key, CancellationToken ct = default)
    {
        await EnsureContainerAsync(ct);
        return new BlockStagedObject(key, Blob(key));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StorageObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var blobPrefix = _prefix.Length == 0 ? prefix : $"{_prefix}/{prefix}";
        var strip = _prefix.Length == 0 ? 0 : _prefix.Length + 1;
        AsyncPageable<BlobItem> pages;
        try { pages = _container.GetBlobsAsync(new GetBlobsOptions { Prefix = blobPrefix }, ct); }
        catch (RequestFailedException e) when (e.Status == 404) { yield break; }
        await using var items = pages.GetAsyncEnumerator(ct);
        while (true)
        {
            try { if (!await items.MoveNextAsync()) yield break; }
            catch (RequestFailedException e) when (e.Status == 404) { yield break; }  // container not created yet
            var item = items.Current;
            yield return new StorageObjectInfo(item.Name[strip..], item.Properties.ContentLength ?? 0,
                item.Properties.LastModified ?? DateTimeOffset.MinValue, item.Properties.ETag?.ToString() ?? "");
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListFoldersAsync(string folderKey, CancellationToken ct = default)
    {
        var key = StorageKeys.Validate(folderKey);
        var blobPrefix = (_prefix.Length == 0 ? key : $"{_prefix}/{key}") + "/";
        var names = new List<string>();
        try
        {
            await foreach (var item in _container.GetBlobsByHierarchyAsync(new GetBlobsByHierarchyOptions { Prefix = blobPrefix, Delimiter = "/" }, ct))
                if (item.IsPrefix) names.Add(item.Prefix[blobPrefix.Length..].TrimEnd('/'));
        }
        catch (RequestFailedException e) when (e.Status == 404) { /* container not created yet */ }
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <inheritdoc />
    public async Task AppendAsync(string key, ReadOnlyMemory<byte> record, CancellationToken ct = default)
    {
        var blob = _container.GetAppendBlobClient(BlobName(key));
        try
        {
            try
            {
                await blob.AppendBlockAsync(new MemoryStream(record.ToArray(), writable: false), cancellationToken: ct);
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                // The first record of this object (or of the container): create it empty, then append; creating is idempotent.
                await EnsureContainerAsync(ct);
                await blob.CreateIfNotExistsAsync(cancellationToken: ct);
                await blob.AppendBlockAsync(new MemoryStream(record.ToArray(), writable: false), cancellationToken: ct);
            }
        }
        catch (RequestFailedException e) when (e.ErrorCode == "BlockCountExceedsLimit")
        {
            throw new AppendLimitReachedException($"{RootUri}/{key} holds the 50,000 appends an append blob takes.", e);
        }
        catch (RequestFailedException e) when (e.Status == 501)
        {
            // Azurite's SQL metadata store, for one, implements no append blobs.
            throw new NotSupportedException($"{RootUri} does not take appends (Append Block answered 501 {e.ErrorCode}).", e);
        }
    }

    /// <inheritdoc />
    public async Task<byte[]?> ReadFromAsync(string key, long offset, CancellationToken ct = default)
    {
        try
        {
            var result = await _container.GetBlobClient(BlobName(key)).DownloadContentAsync(
                new BlobDownloadOptions { Range = new HttpRange(offset) }, ct);
            return result.Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404) { return null; }
        catch (RequestFailedException e) when (e.Status == 416) { return []; }   // nothing from that offset on
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string key, CancellationToken ct = default)
    {
        try { return (await Blob(key).DeleteIfExistsAsync(cancellationToken: ct)).Value; }
        catch (RequestFailedException e) when (e.Status == 404) { return false; }
    }

    /// <summary>Buffers writes into blocks, stages each as an uncommitted block (up to
    /// <see cref="MaxBlocksInFlight"/> at once), and commits the list at the end.</summary>
    private sealed class BlockStagedObject(string key, BlockBlobClient blob) : IStagedObject
    {
        private readonly BlockUploadStream _stream = new(blob);
        private bool _committed;

        public string Key => key;
        public Stream Stream => _stream;

        public async Task CommitAsync(CancellationToken ct = default)
        {
            if (_committed) throw new InvalidOperationException($"Object '{key}' was already committed.");
            if (_stream.TryTakeSmallContent(out var small))
            {
                // Smaller than one block: one Put Blob (atomic too) instead of Put Block + Put Block List. Small
                // objects (stats, failures, one-row shards) are most objects, so this halves their requests.
                await blob.UploadAsync(new MemoryStream(small.Array!, small.Offset, small.Count, writable: false), new BlobUploadOptions(), ct);
                _committed = true;
                return;
            }
            await _stream.FlushBlockAsync(ct);
            await _stream.WaitForUploadsAsync();
            try
            {
                await blob.CommitBlockListAsync(_stream.BlockIds, new CommitBlockListOptions(), ct);
            }
            catch (RequestFailedException e) when (e.ErrorCode == "InvalidBlockList")
            {
                // Committing a blob discards every uncommitted block of it, including another writer's: two
                // writers of one key raced and the other published first. Nothing of ours became visible.
                throw new ConcurrentWriterException(
                    $"Another writer published {key} while this one was uploading it; nothing of this write became visible. Retry (an idempotent writer then finds the other's result).", e);
            }
            _committed = true;
        }

        // Uncommitted blocks are invisible and garbage-collected by the service; nothing to undo.
        public ValueTask DisposeAsync() => _stream.DisposeAsync();
    }

    /// <summary>Blocks of one staged object uploaded at the same time (memory: one more block than this).</summary>
    public const int MaxBlocksInFlight = 4;

    private sealed class BlockUploadStream(BlockBlobClient blob) : Stream
    {
        // A per-writer random id inside each block id keeps concurrent writers of one key from mixing blocks.
        private readonly byte[] _writerId = Guid.NewGuid().ToByteArray();
        private readonly List<string> _blockIds = [];
        // Uploads in block order; the block list fixes the order, so they may finish in any order.
        private readonly Queue<(Task Upload, byte[] Buffer)> _inFlight = new();
        private readonly Stack<byte[]> _free = new();
        private byte[] _buffer = new byte[BlockSize];
        private int _filled;
        private long _position;

        public IReadOnlyList<string> BlockIds => _blockIds;

        /// <summary>The whole content when it never filled a block (nothing staged yet).</summary>
        public bool TryTakeSmallContent(out ArraySegment<byte> content)
        {
            content = _blockIds.Count == 0 ? new ArraySegment<byte>(_buffer, 0, _filled) : default;
            return _blockIds.Count == 0;
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _position;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) =>
            WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken ct = default)
        {
            while (source.Length > 0)
            {
                var n = Math.Min(source.Length, _buffer.Length - _filled);
                source[..n].CopyTo(_buffer.AsMemory(_filled));
                _filled += n;
                _position += n;
                source = source[n..];
                if (_filled == _buffer.Length) await FlushBlockAsync(ct);
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();

        /// <summary>Starts uploading the buffered block; waits first while <see cref="MaxBlocksInFlight"/> are
        /// uploading. A failed upload surfaces here or in <see cref="WaitForUploadsAsync"/>.</summary>
        public async Task FlushBlockAsync(CancellationToken ct)
        {
            if (_filled == 0) return;
            while (_inFlight.Count >= MaxBlocksInFlight) await WaitForOldestAsync();
            var id = new byte[20];
            _writerId.CopyTo(id, 0);
            BitConverter.TryWriteBytes(id.AsSpan(16), _blockIds.Count);
            var blockId = Convert.ToBase64String(id);
            _blockIds.Add(blockId);
            _inFlight.Enqueue((StageAsync(blockId, _buffer, _filled, ct), _buffer));
            _buffer = _free.Count > 0 ? _free.Pop() : new byte[BlockSize];
            _filled = 0;
        }

        private async Task StageAsync(string blockId, byte[] buffer, int length, CancellationToken ct)
        {
            await Task.Yield();   // let the writer fill the next block while this one uploads
            using var content = new MemoryStream(buffer, 0, length, writable: false);
            await blob.StageBlockAsync(blockId, content, new BlockBlobStageBlockOptions(), ct);
        }

        private async Task WaitForOldestAsync()
        {
            var (upload, buffer) = _inFlight.Dequeue();
            try { await upload; }
            finally { _free.Push(buffer); }
        }

        /// <summary>Waits until every staged block is uploaded; throws the first upload error.</summary>
        public async Task WaitForUploadsAsync()
        {
            try
            {
                while (_inFlight.Count > 0) await WaitForOldestAsync();
            }
            catch
            {
                await AbandonUploadsAsync();
                throw;
            }
        }

        /// <summary>Lets running uploads end (their errors no longer matter) so no buffer is freed under them.</summary>
        private async Task AbandonUploadsAsync()
        {
            while (_inFlight.Count > 0)
                try { await WaitForOldestAsync(); } catch (Exception) { /* aborting */ }
        }

        public override void Flush() { }
        public override Task FlushAsync(CancellationToken ct) => Task.CompletedTask;
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override async ValueTask DisposeAsync()
        {
            await AbandonUploadsAsync();
            await base.DisposeAsync();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) AbandonUploadsAsync().GetAwaiter().GetResult();
            _buffer = [];
            _free.Clear();
            base.Dispose(disposing);
        }
    }
}
