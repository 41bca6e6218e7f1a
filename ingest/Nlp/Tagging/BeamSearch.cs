using System.Runtime.CompilerServices;

namespace SSeg.Ingest.Nlp.Tagging;

/// <summary>The weights a beam search scores with: the trainer's, or a model's.</summary>
internal interface IBeamScorer
{
    /// <summary>Adds the weights of position i's features that do not read the previous tags.</summary>
    void AddContext(ReadOnlySpan<WordFeatures> words, int i, bool lowercase, Span<double> scores);
    /// <summary>Adds the weights of the features of the previous two tags alone (templates 12–14).</summary>
    void AddTransition(int t1, int t2, bool lowercase, Span<double> scores);
    /// <summary>Adds the weights of the features of the previous tag and the words (templates 15, 28, 29, 31).</summary>
    void AddLexicalHistory(ReadOnlySpan<WordFeatures> words, int i, int t1, bool lowercase, Span<double> scores);
}

/// <summary>
/// Beam search over tag sequences (left to right). The tag-independent part of a position's score
/// (<see cref="FeatureTemplates.ContextCount"/> features) is computed once per position; each beam item adds only
/// the <see cref="FeatureTemplates.HistoryCount"/> features that read its previous two tags. Items with the same last
/// two tags are merged (the features see no further back, so the better one always stays better). Positions with a
/// settled tag (tag dictionary, token kind) are not scored. One instance is scratch for one thread.
/// </summary>
internal sealed class BeamSearch
{
    private byte[] _tag = [], _prev = [];
    private int[] _back = [];
    private double[] _score = [];
    private bool[] _gold = [];
    private int[] _count = [];
    private int _width;

    [ThreadStatic] private static BeamSearch? _perThread;

    /// <summary>Scratch for the calling thread.</summary>
    public static BeamSearch ForThread => _perThread ??= new BeamSearch();

    /// <summary>Per position: the best item's score minus the gold prefix's score, and whether the gold prefix is still in the beam.</summary>
    public double[] Violation = [];
    public bool[] GoldInBeam = [];

    /// <summary>
    /// Runs the beam over the n positions. <paramref name="settled"/>[i] ≥ 0 fixes position i's tag. With non-empty
    /// <paramref name="gold"/>, also tracks the gold prefix (for training updates).
    /// </summary>
    public void Run<TScorer>(ref TScorer scorer, ReadOnlySpan<WordFeatures> words, ReadOnlySpan<int> settled, bool lowercase,
        int nTags, int width, ReadOnlySpan<byte> gold) where TScorer : struct, IBeamScorer
    {
        int n = words.Length;
        Ensure(n, width);
        bool track = !gold.IsEmpty;
        Span<double> contextScores = stackalloc double[nTags];
        Span<double> scores = stackalloc double[nTags];
        // Context plus lexical-history scores per distinct previous tag among the items (they share those features).
        Span<double> lexical = stackalloc double[(width + 1) * nTags];
        Span<int> lexicalTag = stackalloc int[width + 1];
        double goldScore = 0;
        for (int i = 0; i < n; i++)
        {
            int baseIndex = i * width, previousBase = (i - 1) * width;
            int previousCount = i == 0 ? 1 : _count[i - 1];
            int count = 0, cached = 0;
            double worst = double.NegativeInfinity; // the lowest score in a full beam
            int fixedTag = settled[i];
            if (fixedTag < 0)
            {
                contextScores.Clear();
                scorer.AddContext(words, i, lowercase, contextScores);
            }
            for (int b = 0; b < previousCount; b++)
            {
                int t1 = i == 0 ? nTags : _tag[previousBase + b];
                int t2 = i == 0 ? nTags + 1 : _prev[previousBase + b];
                double score = i == 0 ? 0 : _score[previousBase + b];
                bool onGold = i == 0 || _gold[previousBase + b];
                if (fixedTag >= 0)
                {
                    Offer(baseIndex, ref count, ref worst, (byte)fixedTag, (byte)t1, b, score, onGold && (!track || gold[i] == fixedTag));
                    continue;
                }
                int c = 0;
                while (c < cached && lexicalTag[c] != t1) c++;
                var lex = lexical.Slice(c * nTags, nTags);
                if (c == cached)
                {
                    lexicalTag[cached++] = t1;
                    contextScores.CopyTo(lex);
                    scorer.AddLexicalHistory(words, i, t1, lowercase, lex);
                }
                lex.CopyTo(scores);
                scorer.AddTransition(t1, t2, lowercase, scores);
                for (int t = 0; t < nTags; t++)
                {
                    double s = score + scores[t];
                    if (count == width && s <= worst) continue;
                    Offer(baseIndex, ref count, ref worst, (byte)t, (byte)t1, b, s, onGold && (!track || gold[i] == t));
                }
            }
            _count[i] = count;
            if (!track) continue;
            if (fixedTag < 0)
            {
                int g1 = i == 0 ? nTags : gold[i - 1], g2 = i == 0 ? nTags + 1 : i == 1 ? nTags : gold[i - 2];
                contextScores.CopyTo(scores);
                scorer.AddLexicalHistory(words, i, g1, lowercase, scores);
                scorer.AddTransition(g1, g2, lowercase, scores);
                goldScore += scores[gold[i]];
            }
            int best = BestItem(i);
            bool goldIn = false;
            for (int k = 0; k < count; k++) goldIn |= _gold[baseIndex + k];
            GoldInBeam[i] = goldIn;
            Violation[i] = _gold[baseIndex + best] ? double.NegativeInfinity : _score[baseIndex + best] - goldScore;
        }
    }

    /// <summary>The index of the best item at position i.</summary>
    public int BestItem(int i)
    {
        int baseIndex = i * _width, best = 0;
        for (int k = 1; k < _count[i]; k++) if (_score[baseIndex + k] > _score[baseIndex + best]) best = k;
        return best;
    }

    /// <summary>Whether the best item at position i is the gold prefix.</summary>
    public bool BestIsGold(int i) => _gold[i * _width + BestItem(i)];

    /// <summary>Writes the tags of the best path ending at position <paramref name="last"/> into tags[0..last].</summary>
    public void Backtrack(int last, Span<byte> tags)
    {
        int item = BestItem(last);
        for (int i = last; i >= 0; i--)
        {
            tags[i] = _tag[i * _width + item];
            item = _back[i * _width + item];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Offer(int baseIndex, ref int count, ref double worst, byte tag, byte prev, int back, double score, bool gold)
    {
        for (int k = 0; k < count; k++)
        {
            int e = baseIndex + k;
            if (_tag[e] != tag || _prev[e] != prev) continue;
            if (score > _score[e]) { _back[e] = back; _score[e] = score; _gold[e] = gold; worst = Worst(baseIndex, count); }
            return;
        }
        if (count == _width && score <= worst) return;
        int slot;
        if (count < _width) slot = count++;
        else
        {
            slot = 0;
            for (int k = 1; k < count; k++) if (_score[baseIndex + k] < _score[baseIndex + slot]) slot = k;
        }
        int at = baseIndex + slot;
        _tag[at] = tag; _prev[at] = prev; _back[at] = back; _score[at] = score; _gold[at] = gold;
        if (count == _width) worst = Worst(baseIndex, count);
    }

    private double Worst(int baseIndex, int count)
    {
        if (count < _width) return double.NegativeInfinity;
        double w = _score[baseIndex];
        for (int k = 1; k < count; k++) w = Math.Min(w, _score[baseIndex + k]);
        return w;
    }

    private void Ensure(int n, int width)
    {
        _width = width;
        int size = n * width;
        if (_tag.Length < size)
        {
            size = Math.Max(size, _tag.Length * 2);
            _tag = new byte[size]; _prev = new byte[size]; _back = new int[size]; _score = new double[size]; _gold = new bool[size];
        }
        if (_count.Length < n)
        {
            int m = Math.Max(n, _count.Length * 2);
            _count = new int[m]; Violation = new double[m]; GoldInBeam = new bool[m];
        }
    }
}
