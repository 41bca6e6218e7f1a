using System.IO.Compression;

namespace SSeg.Ingest.Manifests;

/// <summary>Opens a manifest file, transparently un-gzipping it when it starts with the gzip magic bytes.</summary>
internal static class ManifestStreams
{
    public static Stream OpenFile(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return MaybeGunzip(file);
    }

    public static Stream MaybeGunzip(Stream stream)
    {
        var buffered = stream.CanSeek ? stream : new BufferedStream(stream, 1 << 16);
        if (!buffered.CanSeek)
            return buffered;
        Span<byte> magic = stackalloc byte[2];
        var n = buffered.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        buffered.Seek(0, SeekOrigin.Begin);
        return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b
            ? new GZipStream(buffered, CompressionMode.Decompress)
            : buffered;
    }

    /// <summary>For non-seekable streams (zip entries): peek via a small wrapper.</summary>
    public static Stream MaybeGunzipNonSeekable(Stream stream)
    {
        var head = new byte[2];
        var n = stream.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        var rest = new PrefixedStream(head.AsMemory(0, n), stream);
        return n == 2 && head[0] == 0x1f && head[1] == 0x8b ? new GZipStream(rest, CompressionMode.Decompress) : rest;
    }

    private sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream inner) : Stream
    {
        private ReadOnlyMemory<byte> _prefix = prefix;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override int Read(Span<byte> buffer)
        {
            if (_prefix.Length > 0)
            {
                var n = Math.Min(buffer.Length, _prefix.Length);
                _prefix.Span[..n].CopyTo(buffer);
                _prefix = _prefix[n..];
                return n;
            }
            return inner.Read(buffer);
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
