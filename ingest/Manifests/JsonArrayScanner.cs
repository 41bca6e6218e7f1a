using System.Text.Json;

namespace SSeg.Ingest.Manifests;

/// <summary>
/// Streams the objects of the top-level "annotations" array of a RedCaps file
/// (<c>{"info": {...}, "annotations": [{...}, ...]}</c>) without loading the file: a fixed-size buffer is refilled
/// and each annotation object is parsed on its own. Property order does not matter; "info" is optional.
/// </summary>
internal sealed class JsonArrayScanner
{
    private readonly Stream _stream;
    private readonly string _arrayName;
    private readonly int _maxObjectBytes;
    private byte[] _buffer = new byte[1 << 16];
    private int _start, _end;
    private bool _eof;
    private JsonReaderState _state;
    private long _consumedBefore;
    private bool _nextIsArray, _inArray, _sawArray, _done;

    public JsonArrayScanner(Stream stream, string arrayName, int maxObjectBytes)
    {
        _stream = stream;
        _arrayName = arrayName;
        _maxObjectBytes = maxObjectBytes;
        _state = new JsonReaderState(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
    }

    /// <summary>Byte offset reached in the (decompressed) file, for error messages.</summary>
    public long Position => _consumedBefore;

    /// <summary>True if the named array was present.</summary>
    public bool SawArray => _sawArray;

    /// <summary>The next element of the array (a detached JsonElement), or null at the end. Throws JsonException on broken JSON.</summary>
    public JsonElement? Next()
    {
        if (_done) return null;
        while (true)
        {
            var reader = new Utf8JsonReader(_buffer.AsSpan(_start, _end - _start), _eof, _state);
            var outcome = Advance(ref reader, out var element);
            _start += (int)reader.BytesConsumed;
            _consumedBefore += reader.BytesConsumed;
            _state = reader.CurrentState;
            if (outcome == Outcome.Found) return element;
            if (outcome == Outcome.Done) { _done = true; return null; }
            if (_eof) throw new JsonException($"unexpected end of JSON at byte {_consumedBefore}");
            Refill();
        }
    }

    private enum Outcome { Found, NeedMore, Done }

    private Outcome Advance(ref Utf8JsonReader reader, out JsonElement element)
    {
        element = default;
        while (true)
        {
            var saved = reader;
            if (!reader.Read())
                return Outcome.NeedMore;
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName when reader.CurrentDepth == 1:
                    _nextIsArray = reader.ValueTextEquals(_arrayName);
                    break;
                case JsonTokenType.StartArray when reader.CurrentDepth == 1 && _nextIsArray:
                    _inArray = true;
                    _sawArray = true;
                    _nextIsArray = false;
                    break;
                case JsonTokenType.EndArray when reader.CurrentDepth == 1 && _inArray:
                    _inArray = false;
                    break;
                case JsonTokenType.EndObject when reader.CurrentDepth == 0:
                    return Outcome.Done;
                case JsonTokenType.StartObject or JsonTokenType.StartArray when reader.CurrentDepth == 2 && _inArray:
                case JsonTokenType.String or JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null
                    when reader.CurrentDepth == 2 && _inArray:
                {
                    var tokenStart = (int)reader.TokenStartIndex;
                    if (!reader.TrySkip())
                    {
                        reader = saved;
                        return Outcome.NeedMore;
                    }
                    var bytes = _buffer.AsMemory(_start + tokenStart, (int)reader.BytesConsumed - tokenStart);
                    using var doc = JsonDocument.Parse(bytes);
                    element = doc.RootElement.Clone();
                    return Outcome.Found;
                }
                default:
                    if (reader.CurrentDepth == 0 && reader.TokenType != JsonTokenType.StartObject)
                        throw new JsonException("the file is not a JSON object");
                    break;
            }
        }
    }

    private void Refill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= _maxObjectBytes)
                throw new JsonException($"a single JSON value is larger than {_maxObjectBytes} bytes (at byte {_consumedBefore})");
            Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, _maxObjectBytes));
        }
        var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0) _eof = true;
        else _end += read;
    }
}
