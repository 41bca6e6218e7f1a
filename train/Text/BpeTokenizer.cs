using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;

namespace SSeg.Train.Text;

/// <summary>
/// Byte-level BPE tokenizer with CLIP's rules (docs/method.md §2.4): vocabulary = 256 byte symbols, the same with
/// "&lt;/w&gt;", one entry per merge, then &lt;|startoftext|&gt; and &lt;|endoftext|&gt;. With CLIP's
/// bpe_simple_vocab_16e6.txt.gz (48,894 merges) SOT = 49406 and EOT = 49407. Thread-safe.
/// </summary>
public sealed class BpeTokenizer
{
    /// <summary>CLIP uses the first 49152 − 256 − 2 merge lines of its file.</summary>
    public const int ClipMergeCount = 49152 - 256 - 2;
    public const int DefaultContextLength = 77;

    private readonly Dictionary<(string, string), int> _ranks = new();
    private readonly Dictionary<string, int> _encoder = new(StringComparer.Ordinal);
    private readonly string[] _decoder;
    private readonly ConcurrentDictionary<string, string[]> _cache = new(StringComparer.Ordinal);

    public IReadOnlyList<(string First, string Second)> Merges { get; }
    public int VocabSize => _decoder.Length;
    public int StartOfText { get; }
    public int EndOfText { get; }
    public int ContextLength { get; }

    public BpeTokenizer(IReadOnlyList<(string First, string Second)> merges, int contextLength = DefaultContextLength)
    {
        if (contextLength < 2) throw new ArgumentException("context length must be at least 2 (SOT + EOT)");
        Merges = merges;
        ContextLength = contextLength;
        var vocab = new List<string>();
        foreach (var c in ByteUnicode.Order) vocab.Add(c.ToString());
        foreach (var c in ByteUnicode.Order) vocab.Add(c + "</w>");
        for (int i = 0; i < merges.Count; i++)
        {
            var (a, b) = merges[i];
            if (!_ranks.TryAdd((a, b), i)) throw new InvalidDataException($"merge {i + 1} ('{a} {b}') is listed twice");
            vocab.Add(a + b);
        }
        vocab.Add(TextNormalizer.StartOfText);
        vocab.Add(TextNormalizer.EndOfText);
        _decoder = vocab.ToArray();
        for (int i = 0; i < _decoder.Length; i++) _encoder.TryAdd(_decoder[i], i); // first id wins on duplicates
        StartOfText = _encoder[TextNormalizer.StartOfText];
        EndOfText = _encoder[TextNormalizer.EndOfText];
    }

    /// <summary>Loads a merges file in CLIP's format (first line a header, then "a b" per line; .gz or plain).
    /// At most <paramref name="maxMerges"/> merges are read (CLIP's 48,894 by default).</summary>
    public static BpeTokenizer Load(string path, int maxMerges = ClipMergeCount, int contextLength = DefaultContextLength)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"BPE merges file not found: {path}", path);
        using var file = File.OpenRead(path);
        return Load(file, path, maxMerges, contextLength);
    }

    public static BpeTokenizer Load(Stream stream, string name, int maxMerges = ClipMergeCount, int contextLength = DefaultContextLength)
    {
        Stream s = stream;
        if (name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) s = new GZipStream(stream, CompressionMode.Decompress);
        using var reader = new StreamReader(s, Encoding.UTF8);
        var merges = new List<(string, string)>();
        reader.ReadLine(); // header ("#version: ...")
        int lineNo = 1;
        string? line;
        while (merges.Count < maxMerges && (line = reader.ReadLine()) is not null)
        {
            lineNo++;
            if (line.Length == 0) continue;
            var parts = line.Split(' ');
            if (parts.Length != 2) throw new InvalidDataException($"{name}:{lineNo}: expected two symbols separated by one space, got '{line}'");
            merges.Add((parts[0], parts[1]));
        }
        return new BpeTokenizer(merges, contextLength);
    }

    /// <summary>Writes merges in CLIP's format (gzip when the name ends with .gz).</summary>
    public static void Save(IReadOnlyList<(string First, string Second)> merges, Stream stream, string name, string header = "#version: 0.2")
    {
        Stream s = stream;
        GZipStream? gz = null;
        if (name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) s = gz = new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true);
        using (var writer = new StreamWriter(s, new UTF8Encoding(false), leaveOpen: true) { NewLine = "\n" })
        {
            writer.WriteLine(header);
            foreach (var (a, b) in merges) writer.WriteLine($"{a} {b}");
        }
        gz?.Dispose();
    }

    public int TokenId(string symbol) => _encoder.TryGetValue(symbol, out var id) ? id : throw new KeyNotFoundException($"'{symbol}' is not in the vocabulary");

    public string Symbol(int id) => _decoder[id];

    /// <summary>Token ids of the cleaned text, without SOT/EOT.</summary>
    public List<int> Encode(string text)
    {
        var ids = new List<int>();
        foreach (var piece in TextNormalizer.PreTokenize(TextNormalizer.Clean(text)))
        {
            if (piece is TextNormalizer.StartOfText or TextNormalizer.EndOfText) { ids.Add(_encoder[piece]); continue; }
            foreach (var symbol in Bpe(ToByteSymbols(piece))) ids.Add(_encoder[symbol]);
        }
        return ids;
    }

    /// <summary>Decodes ids back to text ("&lt;/w&gt;" becomes a space).</summary>
    public string Decode(IEnumerable<int> ids)
    {
        var sb = new StringBuilder();
        foreach (var id in ids) sb.Append(_decoder[id]);
        var joined = sb.ToString();
        var bytes = new List<byte>();
        var text = new StringBuilder();
        for (int i = 0; i < joined.Length; i++)
        {
            if (string.CompareOrdinal(joined, i, "</w>", 0, 4) == 0) { Flush(); text.Append(' '); i += 3; continue; }
            if (ByteUnicode.Decoder.TryGetValue(joined[i], out var b)) bytes.Add(b);
            else { Flush(); text.Append(joined[i]); }
        }
        Flush();
        return text.ToString().TrimEnd();

        void Flush()
        {
            if (bytes.Count == 0) return;
            text.Append(Encoding.UTF8.GetString(bytes.ToArray()));
            bytes.Clear();
        }
    }

    /// <summary>[SOT] + ids + [EOT] padded with 0 to the context length; longer sequences are truncated and
    /// their last token forced to EOT (GroupViT's Tokenize with truncate=True).</summary>
    public long[] EncodeForModel(string text)
    {
        var ids = Encode(text);
        var result = new long[ContextLength];
        result[0] = StartOfText;
        int n = Math.Min(ids.Count, ContextLength - 1);
        for (int i = 0; i < n; i++) result[i + 1] = ids[i];
        if (ids.Count + 2 <= ContextLength) result[ids.Count + 1] = EndOfText;
        else result[ContextLength - 1] = EndOfText;
        return result;
    }

    internal static string ToByteSymbols(string piece)
    {
        var bytes = Encoding.UTF8.GetBytes(piece);
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) chars[i] = ByteUnicode.Encoder[bytes[i]];
        return new string(chars);
    }

    /// <summary>Greedy lowest-rank merging of one pre-token (already mapped to byte symbols).</summary>
    private string[] Bpe(string token) => _cache.GetOrAdd(token, t =>
    {
        var word = new List<string>(t.Length);
        for (int i = 0; i < t.Length - 1; i++) word.Add(t[i].ToString());
        word.Add(t[^1] + "</w>");
        while (word.Count > 1)
        {
            int bestRank = int.MaxValue;
            (string, string) best = default;
            for (int i = 0; i < word.Count - 1; i++)
                if (_ranks.TryGetValue((word[i], word[i + 1]), out var r) && r < bestRank) { bestRank = r; best = (word[i], word[i + 1]); }
            if (bestRank == int.MaxValue) break;
            var merged = new List<string>(word.Count);
            for (int i = 0; i < word.Count;)
            {
                if (i < word.Count - 1 && word[i] == best.Item1 && word[i + 1] == best.Item2)
                {
                    merged.Add(best.Item1 + best.Item2);
                    i += 2;
                }
                else merged.Add(word[i++]);
            }
            word = merged;
        }
        return word.ToArray();
    });
}
