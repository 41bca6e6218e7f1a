namespace SSeg.Ingest.Nlp.Tagging;

/// <summary>
/// A small averaged perceptron over a word's character n-grams (2 to 5 of "^word$", lowercased) and its
/// capitalization, trained on rare training words: its best tag for a word the tagger never saw becomes one
/// more feature value, so unseen words get a guess from their whole spelling, not only from their affixes.
/// </summary>
internal sealed class CharGuesser
{
    private readonly Dictionary<ulong, float[]> _weights;
    private readonly int _tags;

    private CharGuesser(Dictionary<ulong, float[]> weights, int tags) { _weights = weights; _tags = tags; }

    public static CharGuesser Train(IReadOnlyList<(string Form, byte Tag)> examples, int tags, int epochs, ulong seed)
    {
        var w = new Dictionary<ulong, float[]>();
        var total = new Dictionary<ulong, double[]>();
        var stamp = new Dictionary<ulong, int[]>();
        var order = Enumerable.Range(0, examples.Count).ToArray();
        var rng = new PerceptronTrainer.SplitMix64(seed ^ 0x6A09E667F3BCC909UL);
        var feats = new List<ulong>();
        var scores = new float[tags];
        int step = 0;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            PerceptronTrainer.Shuffle(order, ref rng);
            foreach (int k in order)
            {
                var (form, gold) = examples[k];
                Features(form, feats);
                Array.Clear(scores);
                foreach (var f in feats)
                    if (w.TryGetValue(f, out var row)) for (int t = 0; t < tags; t++) scores[t] += row[t];
                int guess = PerceptronTrainer.ArgMax(scores);
                step++;
                if (guess == gold) continue;
                foreach (var f in feats)
                {
                    if (!w.TryGetValue(f, out var row))
                    {
                        w[f] = row = new float[tags]; total[f] = new double[tags]; stamp[f] = new int[tags];
                    }
                    var tot = total[f]; var st = stamp[f];
                    foreach (var (t, d) in new[] { (gold, 1f), ((byte)guess, -1f) })
                    {
                        tot[t] += (double)(step - st[t]) * row[t];
                        st[t] = step;
                        row[t] += d;
                    }
                }
            }
        }
        var averaged = new Dictionary<ulong, float[]>(w.Count);
        foreach (var (f, row) in w)
        {
            var tot = total[f]; var st = stamp[f];
            var avg = new float[tags];
            for (int t = 0; t < tags; t++) avg[t] = (float)((tot[t] + (double)(step - st[t]) * row[t]) / Math.Max(1, step));
            averaged[f] = avg;
        }
        return new CharGuesser(averaged, tags);
    }

    /// <summary>The feature value of the best tag for <paramref name="form"/> (never 0).</summary>
    public ulong Guess(ReadOnlySpan<char> form)
    {
        var feats = new List<ulong>();
        Features(form, feats);
        Span<float> scores = stackalloc float[_tags];
        foreach (var f in feats)
            if (_weights.TryGetValue(f, out var row)) for (int t = 0; t < _tags; t++) scores[t] += row[t];
        int best = 0;
        for (int t = 1; t < _tags; t++) if (scores[t] > scores[best]) best = t;
        return FeatureHash.Of(0x47, (ulong)best + 1);
    }

    private static void Features(ReadOnlySpan<char> form, List<ulong> feats)
    {
        feats.Clear();
        feats.Add(1);
        bool upper = form.Length > 0 && char.IsUpper(form[0]);
        bool allUpper = form.Length > 1 && !form.ContainsAnyInRange('a', 'z');
        feats.Add(upper ? 2UL : 3UL);
        if (allUpper) feats.Add(4);
        int n = form.Length + 2;
        Span<char> s = n <= 64 ? stackalloc char[n] : new char[n];
        s[0] = '^'; s[^1] = '$';
        for (int i = 0; i < form.Length; i++) s[i + 1] = WordFeatures.Normalize(form[i]);
        for (int len = 2; len <= 5; len++)
            for (int i = 0; i + len <= n; i++)
            {
                ulong h = FeatureHash.Seed + (ulong)len;
                foreach (var c in s.Slice(i, len)) h = FeatureHash.Step(h, c);
                feats.Add(FeatureHash.Finish(h) | 8);
            }
    }
}
