namespace SSeg.Train.Text;

/// <summary>
/// Learns a byte-level BPE vocabulary from text (the project's own alternative to CLIP's file): words are CLIP
/// pre-tokens mapped to byte symbols with "&lt;/w&gt;" on the last symbol; the most frequent adjacent pair is merged
/// repeatedly (ties: ordinal order of the pair) until the vocabulary reaches the requested size or no pair occurs
/// twice. Word counting is streaming; merging touches only the words that contain the merged pair.
/// </summary>
public sealed class BpeLearner
{
    private readonly Dictionary<string, long> _wordCounts = new(StringComparer.Ordinal);

    public long TextsSeen { get; private set; }
    public int DistinctWords => _wordCounts.Count;

    public void Add(string text)
    {
        TextsSeen++;
        foreach (var piece in TextNormalizer.PreTokenize(TextNormalizer.Clean(text)))
        {
            if (piece is TextNormalizer.StartOfText or TextNormalizer.EndOfText) continue;
            var symbols = BpeTokenizer.ToByteSymbols(piece);
            _wordCounts[symbols] = _wordCounts.GetValueOrDefault(symbols) + 1;
        }
    }

    /// <summary>Merges for a vocabulary of <paramref name="vocabSize"/> entries (512 byte symbols + merges + 2 specials).</summary>
    public List<(string First, string Second)> Learn(int vocabSize, int minPairCount = 2, IProgress<int>? progress = null, CancellationToken ct = default)
    {
        int target = vocabSize - 512 - 2;
        if (target < 0) throw new ArgumentException($"vocabulary size {vocabSize} is below the 514 fixed entries");

        var words = new List<List<string>>();
        var counts = new List<long>();
        foreach (var (w, c) in _wordCounts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var symbols = new List<string>(w.Length);
            for (int i = 0; i < w.Length - 1; i++) symbols.Add(w[i].ToString());
            symbols.Add(w[^1] + "</w>");
            words.Add(symbols);
            counts.Add(c);
        }

        var pairCounts = new Dictionary<(string, string), long>();
        var where = new Dictionary<(string, string), HashSet<int>>();
        var heap = new PriorityQueue<(string, string), (long, string, string)>(Comparer<(long Count, string A, string B)>.Create((x, y) =>
        {
            int c = y.Count.CompareTo(x.Count); // larger count first
            if (c != 0) return c;
            c = string.CompareOrdinal(x.A, y.A);
            return c != 0 ? c : string.CompareOrdinal(x.B, y.B);
        }));

        var touched = new HashSet<(string, string)>();
        for (int w = 0; w < words.Count; w++) AddPairs(w, +1);
        foreach (var (p, c) in pairCounts) heap.Enqueue(p, (c, p.Item1, p.Item2));

        var merges = new List<(string, string)>();
        var vocab = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in ByteUnicode.Order) { vocab.Add(c.ToString()); vocab.Add(c + "</w>"); }
        while (merges.Count < target && heap.TryDequeue(out var pair, out var key))
        {
            ct.ThrowIfCancellationRequested();
            if (!pairCounts.TryGetValue(pair, out var current) || current != key.Item1) continue; // stale entry
            if (current < minPairCount) break;
            merges.Add(pair);
            vocab.Add(pair.Item1 + pair.Item2);
            progress?.Report(merges.Count);

            touched.Clear();
            foreach (var w in where[pair].ToArray())
            {
                AddPairs(w, -1);
                MergeWord(words[w], pair);
                AddPairs(w, +1);
            }
            foreach (var p in touched)
                if (pairCounts.TryGetValue(p, out var c) && c > 0) heap.Enqueue(p, (c, p.Item1, p.Item2));
        }
        return merges;

        void AddPairs(int w, int sign)
        {
            var s = words[w];
            for (int i = 0; i < s.Count - 1; i++)
            {
                var p = (s[i], s[i + 1]);
                long c = pairCounts.GetValueOrDefault(p) + sign * counts[w];
                if (c <= 0) { pairCounts.Remove(p); where.Remove(p); }
                else
                {
                    pairCounts[p] = c;
                    if (sign > 0)
                    {
                        if (!where.TryGetValue(p, out var set)) where[p] = set = new HashSet<int>();
                        set.Add(w);
                    }
                }
                touched.Add(p);
            }
        }
    }

    private static void MergeWord(List<string> s, (string, string) pair)
    {
        for (int i = 0; i < s.Count - 1; i++)
        {
            if (s[i] == pair.Item1 && s[i + 1] == pair.Item2)
            {
                s[i] = pair.Item1 + pair.Item2;
                s.RemoveAt(i + 1);
            }
        }
    }
}
