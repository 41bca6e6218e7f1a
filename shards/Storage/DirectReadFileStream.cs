using Microsoft.Win32.SafeHandles;
using SSeg.Shards.Parquet;

namespace SSeg.Shards.Storage;

/// <summary>
/// Seekable read stream over a local file that reads aligned windows with <c>O_DIRECT</c> and copies from them,
/// so the kernel's copy out of the page cache (as costly as the write side's copy on virtual machines) is
/// replaced by a user-space copy from a hot buffer. A read that continues where the last window ended gets a
/// 4 MiB window and the next one is read in the background, like kernel readahead; any other read (a footer, a
/// projected column chunk) gets a window just large enough (at least 64 KiB), so column projection still reads
/// little of the file. Shards are written with O_DIRECT and are not in the page cache anyway.
/// <see cref="Open"/> falls back to a plain <see cref="FileStream"/> without O_DIRECT.
/// </summary>
internal sealed class DirectReadFileStream : Stream
{
    private const int WindowSize = AlignedChunks.Size;
    private const int SmallWindow = 64 << 10;
    private readonly SafeFileHandle _handle;
    private readonly long _length;
    private ArraySegment<byte> _window = AlignedChunks.Rent();
    private ArraySegment<byte> _spare;   // rented at the first prefetch: small files never need it
    private long _windowStart;
    private int _windowCount;
    private Task<int>? _prefetch;   // reads the window after the current one into _spare
    private long _prefetchStart;
    private long _position;
    private bool _direct = true;
    private bool _disposed;

    private DirectReadFileStream(SafeFileHandle handle)
    {
        _handle = handle;
        _length = RandomAccess.GetLength(handle);
    }

    /// <summary>Opens <paramref name="path"/> for reading, with O_DIRECT where the file system has it.</summary>
    public static Stream Open(string path)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (DirectIo.TrySet(handle, on: true)) return new DirectReadFileStream(handle);
        handle.Dispose();
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete,
            1 << 20, FileOptions.Asynchronous | FileOptions.SequentialScan);
    }

    /// <summary>Bytes read from the file so far, prefetches included (what the disk had to deliver).</summary>
    internal long BytesFromFile => Interlocked.Read(ref _bytesFromFile);
    private long _bytesFromFile;

    public override bool CanRead => !_disposed;
    public override bool CanSeek => !_disposed;
    public override bool CanWrite => false;
    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        SeekOrigin.End => _length + offset,
        _ => throw new ArgumentOutOfRangeException(nameof(origin)),
    };

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var total = 0;
        while (buffer.Length > 0 && _position < _length)
        {
            if (!InWindow(_position)) MoveWindowAsync(_position, buffer.Length, default).GetAwaiter().GetResult();
            var n = CopyFromWindow(buffer);
            if (n == 0) break;
            buffer = buffer[n..];
            total += n;
        }
        return total;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        var total = 0;
        while (buffer.Length > 0 && _position < _length)
        {
            if (!InWindow(_position)) await MoveWindowAsync(_position, buffer.Length, ct);
            var n = CopyFromWindow(buffer.Span);
            if (n == 0) break;
            buffer = buffer[n..];
            total += n;
        }
        return total;
    }

    private bool InWindow(long position) => position >= _windowStart && position < _windowStart + _windowCount;

    private int CopyFromWindow(Span<byte> target)
    {
        if (!InWindow(_position)) return 0;   // the file ended early (it shrank since it was opened)
        var at = (int)(_position - _windowStart);
        var n = Math.Min(target.Length, _windowCount - at);
        _window.AsSpan(at, n).CopyTo(target);
        _position += n;
        return n;
    }

    /// <summary>Makes the window hold <paramref name="position"/>: the prefetched window if it is the right one,
    /// else a fresh read (a full window when reading goes on sequentially, else one just covering
    /// <paramref name="wanted"/> bytes); then prefetches the following window when reading is sequential.</summary>
    private async Task MoveWindowAsync(long position, int wanted, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var sequential = _windowCount > 0 && position == _windowStart + _windowCount && _windowCount % DirectIo.Alignment == 0;
        if (_prefetch is not null)
        {
            var prefetch = _prefetch;
            _prefetch = null;
            int count;
            try { count = await prefetch; }
            catch (IOException) when (_prefetchStart != position) { count = -1; }   // not needed anyway
            if (_prefetchStart == position)
            {
                (_window, _spare) = (_spare, _window);
                (_windowStart, _windowCount) = (position, count);
                StartPrefetch();
                return;
            }
        }
        var start = position - position % DirectIo.Alignment;
        var size = sequential ? WindowSize
            : (int)Math.Clamp((position - start + wanted + DirectIo.Alignment - 1) / DirectIo.Alignment * DirectIo.Alignment, SmallWindow, WindowSize);
        _windowCount = 0;
        _windowStart = start;
        _windowCount = await ReadWindowAsync(_window, start, size, ct);
        if (sequential) StartPrefetch();
    }

    private void StartPrefetch()
    {
        var next = _windowStart + _windowCount;
        if (_windowCount % DirectIo.Alignment != 0 || _windowCount == 0 || next >= _length) return;
        if (_spare.Count == 0) _spare = AlignedChunks.Rent();
        _prefetchStart = next;
        _prefetch = ReadWindowAsync(_spare, next, WindowSize, CancellationToken.None);
    }

    /// <summary>Reads up to <paramref name="size"/> bytes at <paramref name="start"/> (both aligned); the length
    /// asked is a whole number of blocks even at the end of the file, as O_DIRECT needs.</summary>
    private async Task<int> ReadWindowAsync(ArraySegment<byte> target, long start, int size, CancellationToken ct)
    {
        var want = (int)Math.Min(size, _length - start);
        var ask = (want + DirectIo.Alignment - 1) / DirectIo.Alignment * DirectIo.Alignment;
        var done = 0;
        while (done < want)
        {
            int n;
            try
            {
                n = await RandomAccess.ReadAsync(_handle, target.AsMemory(done, ask - done), start + done, ct);
            }
            catch (IOException) when (_direct)
            {
                // A device needing a larger alignment: read through the page cache from now on.
                _direct = false;
                DirectIo.TrySet(_handle, on: false);
                continue;
            }
            if (n == 0) break;
            done += n;
        }
        Interlocked.Add(ref _bytesFromFile, done);
        return Math.Min(done, want);
    }

    public override void Flush() { }
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            try { _prefetch?.GetAwaiter().GetResult(); } catch (Exception) { /* closing: the read no longer matters */ }
            _prefetch = null;
            AlignedChunks.Return(_window);
            if (_spare.Count > 0) AlignedChunks.Return(_spare);
            _window = _spare = default;
            _handle.Dispose();
        }
        base.Dispose(disposing);
    }
}
