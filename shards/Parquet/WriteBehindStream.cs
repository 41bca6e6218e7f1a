using System.Threading.Channels;

namespace SSeg.Shards.Parquet;

/// <summary>
/// Forward-only write stream that hands filled chunks to a background task writing them to the inner stream,
/// so Parquet encoding (CPU) and storage I/O (disk or network) overlap. At most <c>maxChunks</c> chunks are in
/// flight, which bounds the extra memory. Chunks are page-aligned (<see cref="AlignedChunks"/>) and so are their
/// file offsets, so a local staged file writes them with O_DIRECT. Call <see cref="CompleteAsync"/> to drain; errors of the background
/// writer surface on the next write or on completion.
/// </summary>
internal sealed class WriteBehindStream : Stream
{
    private const int ChunkSize = AlignedChunks.Size;
    private readonly Stream _inner;
    private readonly Channel<(ArraySegment<byte> Buffer, int Length)> _queue;
    private readonly Task _pump;
    private ArraySegment<byte> _current = AlignedChunks.Rent();
    private int _filled;
    private long _position;
    private bool _completed;

    public WriteBehindStream(Stream inner, int maxChunks = 8)
    {
        _inner = inner;
        _queue = Channel.CreateBounded<(ArraySegment<byte>, int)>(new BoundedChannelOptions(maxChunks) { SingleReader = true, SingleWriter = true });
        _pump = Task.Run(PumpAsync);
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _position;
    public override long Position { get => _position; set => throw new NotSupportedException("Shard streams are forward-only."); }

    private async Task PumpAsync()
    {
        try
        {
            await foreach (var (buffer, length) in _queue.Reader.ReadAllAsync())
            {
                try { await _inner.WriteAsync(buffer.AsMemory(0, length)); }
                finally { AlignedChunks.Return(buffer); }
            }
            await _inner.FlushAsync();
        }
        catch (Exception e)
        {
            // Close the queue so a producer waiting for room wakes up (and rethrows this error) instead of hanging.
            _queue.Writer.TryComplete(e);
            while (_queue.Reader.TryRead(out var left)) AlignedChunks.Return(left.Buffer);
            throw;
        }
    }

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        while (source.Length > 0)
        {
            var n = Math.Min(source.Length, ChunkSize - _filled);
            source[..n].CopyTo(_current.AsMemory(_filled));
            _filled += n;
            _position += n;
            source = source[n..];
            if (_filled == ChunkSize) await HandOffAsync(ct);
        }
    }

    private async Task HandOffAsync(CancellationToken ct)
    {
        if (_filled == 0) return;
        if (_pump.IsFaulted) await _pump;   // rethrows the background writer's error
        var chunk = (_current, _filled);
        _current = AlignedChunks.Rent();
        _filled = 0;
        try { await _queue.Writer.WriteAsync(chunk, ct); }
        catch (ChannelClosedException) { await _pump; throw; }
    }

    /// <summary>Writes what is buffered and waits until the inner stream has everything.</summary>
    public async Task CompleteAsync(CancellationToken ct)
    {
        if (_completed) { await _pump; return; }
        await HandOffAsync(ct);
        _completed = true;
        _queue.Writer.TryComplete();
        await _pump;
    }

    // Parquet.Net flushes now and then; data reaches the inner stream at CompleteAsync.
    public override void Flush() { }
    public override Task FlushAsync(CancellationToken ct) => Task.CompletedTask;
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("Shard streams are forward-only.");
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_completed)
        {
            // Aborting: stop the pump and drop buffered data; the staged object is discarded by its owner.
            _completed = true;
            _queue.Writer.TryComplete();
            try { _pump.GetAwaiter().GetResult(); } catch (Exception) { /* abort path */ }
        }
        if (disposing && _current.Count > 0)
        {
            AlignedChunks.Return(_current);
            _current = default;
        }
        base.Dispose(disposing);
    }
}
