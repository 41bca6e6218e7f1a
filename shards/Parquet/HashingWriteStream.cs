using System.Security.Cryptography;

namespace SSeg.Shards.Parquet;

/// <summary>Forward-only write stream that computes SHA-256 and the byte count of everything passing through.</summary>
internal sealed class HashingWriteStream(Stream inner) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _written;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _written;
    public override long Position { get => _written; set => throw new NotSupportedException("Shard streams are forward-only."); }

    public string HashHex() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _hash.AppendData(buffer);
        inner.Write(buffer);
        _written += buffer.Length;
    }

    /// <summary>Starts the inner write first and hashes while it runs: a direct (O_DIRECT) write of a large block
    /// is mostly waiting for the disk, so hashing and I/O overlap. Both only read the buffer.</summary>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
    {
        var write = inner.WriteAsync(buffer, ct);
        try { _hash.AppendData(buffer.Span); }
        finally { await write; }
        _written += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken ct) => inner.FlushAsync(ct);
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("Shard streams are forward-only.");
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _hash.Dispose();   // the inner stream belongs to the staged object
        base.Dispose(disposing);
    }
}
