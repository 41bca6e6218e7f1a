namespace SSeg.Ingest.Manifests;

/// <summary>
/// Reads LF-terminated lines as raw bytes from a stream with a fixed buffer, so a huge manifest is never held
/// in memory and a line that is absurdly long is reported (and skipped) instead of growing a buffer.
/// A last line without a trailing LF is still returned; a trailing CR is stripped.
/// </summary>
internal sealed class ByteLineReader
{
    private readonly Stream _stream;
    private readonly int _maxLine;
    private byte[] _buffer;
    private int _start, _end;
    private bool _eof;

    public ByteLineReader(Stream stream, int maxLineBytes)
    {
        _stream = stream;
        _maxLine = maxLineBytes;
        _buffer = new byte[Math.Max(1 << 20, 2 * maxLineBytes + 2)];
    }

    /// <summary>1-based number of the line last returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>Next line (valid until the next call), or false at end of input. tooLong: the line exceeded the limit.</summary>
    public bool TryReadLine(out ReadOnlyMemory<byte> line, out bool tooLong)
    {
        tooLong = false;
        var skipping = false;
        while (true)
        {
            var span = _buffer.AsSpan(_start, _end - _start);
            var lf = span.IndexOf((byte)'\n');
            if (lf >= 0)
            {
                var lineStart = _start;
                _start += lf + 1;
                LineNumber++;
                if (skipping) { line = ReadOnlyMemory<byte>.Empty; tooLong = true; return true; }
                var len = lf;
                if (len > 0 && _buffer[lineStart + len - 1] == (byte)'\r') len--;
                if (len > _maxLine) { line = ReadOnlyMemory<byte>.Empty; tooLong = true; return true; }
                line = _buffer.AsMemory(lineStart, len);
                return true;
            }
            if (_eof)
            {
                if (_end > _start || skipping)
                {
                    LineNumber++;
                    var len = _end - _start;
                    var lineStart = _start;
                    _start = _end;
                    if (skipping || len > _maxLine) { line = ReadOnlyMemory<byte>.Empty; tooLong = true; return true; }
                    if (len > 0 && _buffer[lineStart + len - 1] == (byte)'\r') len--;
                    line = _buffer.AsMemory(lineStart, len);
                    return true;
                }
                line = default;
                return false;
            }
            if (_end - _start > _maxLine)
            {
                // Over the limit without a LF yet: drop what we have and skip to the next LF.
                skipping = true;
                _start = _end = 0;
            }
            else if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0) _eof = true;
            else _end += read;
        }
    }
}
