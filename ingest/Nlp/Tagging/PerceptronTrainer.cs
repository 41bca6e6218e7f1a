using SSeg.Ingest.Nlp.Conllu;

namespace SSeg.Ingest.Nlp.Tagging;

public sealed record TrainerOptions
{
    public int Epochs { get; init; } = 10;
    public ulong Seed { get; init; } = 1;
    /// <summary>Also train on an all-lowercase copy of every sentence, so lowercased captions (CC3M, RedCaps) tag well.</summary>
    public bool LowercaseCopies { get; init; } = true;
    /// <summary>Sentences with a larger share of proper nouns (titles, name lists) get no lowercase copy.</summary>
    public double LowercaseCopyMaxProperShare { get; init; } = 0.5;
    /// <summary>Words seen at least this often with one tag in ≥ <see cref="TagDictionaryMinShare"/> of cases skip the model.</summary>
    public int TagDictionaryMinCount { get; init; } = 20;
    public double TagDictionaryMinShare { get; init; } = 0.97;
    /// <summary>Words seen at least this often get an ambiguity class (the tags they had in ≥ 5% of cases).</summary>
    public int AmbiguityMinCount { get; init; } = 1;
    public double AmbiguityMinShare { get; init; } = 0.05;
    /// <summary>Averaged weights smaller than this are dropped from the model (keeps it small; costs almost no accuracy).</summary>
    public float PruneBelow { get; init; } = 0.01f;
    /// <summary>Training words get ambiguity classes counted on the other folds of this many (1 = no jackknifing).</summary>
    public int AmbiguityFolds { get; init; } = 10;
}

/// <summary>
/// Trains an averaged perceptron (Collins 2002; Honnibal's greedy tagger): each epoch visits the sentences
/// in a seeded shuffle, tags them greedily with the current weights and on a mistake adds 1 to the gold tag's
/// weights and subtracts 1 from the guess's; the model keeps the average of every weight over all steps.
/// Single-threaded and seeded, so the same data and options give the same model bytes.
/// </summary>
public sealed class PerceptronTrainer(TrainerOptions options)
{
    // Sparse weights: one linked list of (tag, weight) entries per feature; most features touch few tags.
    private readonly Dictionary<ulong, int> _featureIds = new();
    private int[] _head = new int[1 << 16];
    private int[] _next = new int[1 << 18];
    private byte[] _tag = new byte[1 << 18];
    private float[] _weight = new float[1 << 18];
    private double[] _total = new double[1 << 18];
    private int[] _stamp = new int[1 << 18];
    private int _entries;
    private int _step;

    public TrainerOptions Options { get; } = options;

    /// <summary>Trains on <paramref name="train"/>; <paramref name="progress"/> gets (epoch, training accuracy).</summary>
    public TaggerModel Train(IReadOnlyList<ConlluSentence> train, Action<int, double>? progress = null)
    {
        var sentences = new List<string[]>();
        var goldTags = new List<string[]>();
        var origin = new List<int>(); // index of the original sentence (a lowercase copy shares its fold)
        for (int k = 0; k < train.Count; k++)
        {
            sentences.Add(train[k].Words.Select(w => w.Form).ToArray());
            goldTags.Add(train[k].Words.Select(w => w.Xpos).ToArray());
            origin.Add(k);
        }
        int originals = sentences.Count;
        for (int k = 0; k < originals && Options.LowercaseCopies; k++)
        {
            if (!sentences[k].Any(f => f.Any(char.IsUpper))) continue;
            // Titles and name lists ("The Big Red Balloon") lowercased look like ordinary captions; copying them
            // would teach that lowercase ordinary words are proper nouns.
            if (goldTags[k].Count(t => t is "NNP" or "NNPS") > Options.LowercaseCopyMaxProperShare * goldTags[k].Length) continue;
            sentences.Add(sentences[k].Select(f => f.ToLowerInvariant()).ToArray());
            goldTags.Add(goldTags[k]);
            origin.Add(k);
        }

        var tagSet = goldTags.SelectMany(t => t).Distinct().Order(StringComparer.Ordinal).ToArray();
        if (tagSet.Length > 62) throw new InvalidOperationException($"{tagSet.Length} tags; the model format allows 62");
        var tagId = tagSet.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => (byte)x.i, StringComparer.Ordinal);
        var (dictKeys, dictTags) = BuildTagDictionary(sentences, goldTags, tagId);
        var (ambKeys, ambMasks) = BuildAmbiguityClasses(Enumerable.Range(0, originals), sentences, goldTags, tagId);

        // Ambiguity classes of training words come from the other folds (jackknifing), so that during training
        // as at test time some words are unseen and seen words carry the tags other text gave them.
        int folds = Math.Max(1, Options.AmbiguityFolds);
        var words = new WordFeatures[sentences.Count][];
        var gold = new byte[sentences.Count][];
        var dictionary = new int[sentences.Count][];
        var lowercase = sentences.Select(forms => forms.All(form => WordFeatures.IsLowercase(form))).ToArray();
        for (int fold = 0; fold < folds; fold++)
        {
            var (foldKeys, foldMasks) = folds == 1 ? (ambKeys, ambMasks)
                : BuildAmbiguityClasses(Enumerable.Range(0, originals).Where(k => k % folds != fold), sentences, goldTags, tagId);
            var lookup = new TaggerModel(new ModelData(tagSet, dictKeys, dictTags, foldKeys, foldMasks, [], [0], [], [], 1f, new Dictionary<string, string>(), []));
            for (int s = 0; s < sentences.Count; s++)
            {
                if (origin[s] % folds != fold) continue;
                words[s] = new WordFeatures[sentences[s].Length];
                gold[s] = goldTags[s].Select(t => tagId[t]).ToArray();
                dictionary[s] = new int[sentences[s].Length];
                for (int i = 0; i < sentences[s].Length; i++)
                {
                    lookup.ComputeWordFeatures(sentences[s][i], lowercase[s], out words[s][i]);
                    dictionary[s][i] = lookup.DictionaryTag(words[s][i]);
                }
            }
        }

        int nTags = tagSet.Length;
        var scores = new float[nTags];
        var features = new ulong[FeatureTemplates.Count];
        var featureIds = new int[FeatureTemplates.Count];
        var order = Enumerable.Range(0, sentences.Count).ToArray();
        var rng = new SplitMix64(Options.Seed);
        for (int epoch = 1; epoch <= Options.Epochs; epoch++)
        {
            Shuffle(order, ref rng);
            long correct = 0, total = 0;
            foreach (int s in order)
            {
                int prev = nTags, prev2 = nTags + 1;
                var ws = words[s];
                for (int i = 0; i < ws.Length; i++)
                {
                    int guess = dictionary[s][i];
                    if (guess < 0)
                    {
                        FeatureTemplates.Extract(ws, i, prev, prev2, lowercase[s], features);
                        guess = Score(features, featureIds, scores);
                        _step++;
                        if (guess != gold[s][i])
                        {
                            for (int f = 0; f < features.Length; f++)
                            {
                                int id = featureIds[f] >= 0 ? featureIds[f] : AddFeature(features[f]);
                                Update(id, gold[s][i], 1f);
                                Update(id, (byte)guess, -1f);
                            }
                        }
                    }
                    if (guess == gold[s][i]) correct++;
                    total++;
                    prev2 = prev;
                    prev = guess;
                }
            }
            progress?.Invoke(epoch, total == 0 ? 0 : (double)correct / total);
        }
        var (lemmaExceptions, knownLemmas) = LemmaTableBuilder.Build(train);
        return Finish(tagSet, dictKeys, dictTags, ambKeys, ambMasks, lemmaExceptions, knownLemmas);
    }

    private int Score(ulong[] features, int[] featureIds, float[] scores)
    {
        Array.Clear(scores);
        for (int f = 0; f < features.Length; f++)
        {
            int id = _featureIds.TryGetValue(features[f], out var v) ? v : -1;
            featureIds[f] = id;
            if (id < 0) continue;
            for (int e = _head[id]; e >= 0; e = _next[e]) scores[_tag[e]] += _weight[e];
        }
        int best = 0;
        for (int t = 1; t < scores.Length; t++) if (scores[t] > scores[best]) best = t;
        return best;
    }

    private int AddFeature(ulong key)
    {
        if (_featureIds.TryGetValue(key, out var id)) return id; // the same hash twice in one position
        id = _featureIds.Count;
        _featureIds.Add(key, id);
        if (id >= _head.Length) Array.Resize(ref _head, _head.Length * 2);
        _head[id] = -1;
        return id;
    }

    private void Update(int feature, byte tag, float delta)
    {
        int e = _head[feature];
        while (e >= 0 && _tag[e] != tag) e = _next[e];
        if (e < 0)
        {
            if (_entries == _next.Length)
            {
                int size = _next.Length * 2;
                Array.Resize(ref _next, size); Array.Resize(ref _tag, size); Array.Resize(ref _weight, size);
                Array.Resize(ref _total, size); Array.Resize(ref _stamp, size);
            }
            e = _entries++;
            _tag[e] = tag; _weight[e] = 0; _total[e] = 0; _stamp[e] = _step;
            _next[e] = _head[feature];
            _head[feature] = e;
        }
        _total[e] += (double)(_step - _stamp[e]) * _weight[e];
        _stamp[e] = _step;
        _weight[e] += delta;
    }

    /// <summary>Averages, prunes, quantizes and packs the weights into a model.</summary>
    private TaggerModel Finish(string[] tags, ulong[] dictKeys, byte[] dictTags, ulong[] ambKeys, ulong[] ambMasks,
        IReadOnlyDictionary<string, string> lemmaExceptions, IReadOnlyList<string> knownLemmas)
    {
        double steps = Math.Max(1, _step);
        var keys = new List<ulong>();
        var starts = new List<int> { 0 };
        var entryTags = new List<byte>();
        var entryWeights = new List<float>();
        var row = new List<(byte Tag, float Weight)>();
        foreach (var (key, id) in _featureIds.OrderBy(kv => kv.Key))
        {
            row.Clear();
            for (int e = _head[id]; e >= 0; e = _next[e])
            {
                double avg = (_total[e] + (double)(_step - _stamp[e]) * _weight[e]) / steps;
                if (Math.Abs(avg) >= Options.PruneBelow) row.Add((_tag[e], (float)avg));
            }
            if (row.Count == 0) continue;
            row.Sort((a, b) => a.Tag.CompareTo(b.Tag));
            keys.Add(key);
            foreach (var (t, w) in row) { entryTags.Add(t); entryWeights.Add(w); }
            starts.Add(entryTags.Count);
        }
        // int16 weights with one scale: a quarter of the size of floats, and no measurable accuracy change.
        float maxAbs = entryWeights.Count == 0 ? 0 : entryWeights.Max(Math.Abs);
        float scale = maxAbs > 0 ? maxAbs / short.MaxValue : 1f;
        var quantized = entryWeights.Select(x => (short)Math.Round(x / scale)).ToArray();
        return new TaggerModel(new ModelData(tags, dictKeys, dictTags, ambKeys, ambMasks, keys.ToArray(), starts.ToArray(),
            entryTags.ToArray(), quantized, scale, lemmaExceptions, knownLemmas));
    }

    private (ulong[] Keys, byte[] Tags) BuildTagDictionary(List<string[]> sentences, List<string[]> tags, Dictionary<string, byte> tagId)
    {
        var counts = CountTags(sentences, tags, tagId, form => WordFeaturesExact(form));
        var entries = new List<(ulong Key, byte Tag)>();
        foreach (var (key, byTag) in counts)
        {
            int total = byTag.Values.Sum();
            var (bestTag, bestCount) = byTag.MaxBy(kv => (kv.Value, -kv.Key));
            if (total >= Options.TagDictionaryMinCount && bestCount >= Options.TagDictionaryMinShare * total)
                entries.Add((key, bestTag));
        }
        entries.Sort((a, b) => a.Key.CompareTo(b.Key));
        return (entries.Select(e => e.Key).ToArray(), entries.Select(e => e.Tag).ToArray());
    }

    private (ulong[] Keys, ulong[] Masks) BuildAmbiguityClasses(IEnumerable<int> which, List<string[]> sentences, List<string[]> tags, Dictionary<string, byte> tagId)
    {
        var selected = which.ToList();
        var counts = CountTags(selected.Select(k => sentences[k]).ToList(), selected.Select(k => tags[k]).ToList(), tagId, form => WordFeatures.WordKey(form));
        var entries = new List<(ulong Key, ulong Mask)>();
        foreach (var (key, byTag) in counts)
        {
            int total = byTag.Values.Sum();
            if (total < Options.AmbiguityMinCount) continue;
            ulong mask = 0;
            foreach (var (tag, count) in byTag) if (count >= Options.AmbiguityMinShare * total) mask |= 1UL << tag;
            entries.Add((key, mask));
        }
        entries.Sort((a, b) => a.Key.CompareTo(b.Key));
        return (entries.Select(e => e.Key).ToArray(), entries.Select(e => e.Mask).ToArray());
    }

    private static ulong WordFeaturesExact(string form)
    {
        WordFeatures.Compute(form, false, out var f);
        return f.Exact;
    }

    private static Dictionary<ulong, Dictionary<byte, int>> CountTags(List<string[]> sentences, List<string[]> tags, Dictionary<string, byte> tagId, Func<string, ulong> key)
    {
        var counts = new Dictionary<ulong, Dictionary<byte, int>>();
        for (int s = 0; s < sentences.Count; s++)
            for (int i = 0; i < sentences[s].Length; i++)
            {
                var k = key(sentences[s][i]);
                if (!counts.TryGetValue(k, out var byTag)) counts[k] = byTag = new Dictionary<byte, int>();
                var t = tagId[tags[s][i]];
                byTag[t] = byTag.GetValueOrDefault(t) + 1;
            }
        return counts;
    }

    private static void Shuffle(int[] order, ref SplitMix64 rng)
    {
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = (int)(rng.Next() % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
    }

    /// <summary>A tiny seeded generator whose sequence is fixed by this code, not by the runtime's Random.</summary>
    private struct SplitMix64(ulong seed)
    {
        private ulong _state = seed;

        public ulong Next()
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
