using SSeg.Ingest.Nlp.Conllu;

namespace SSeg.Ingest.Nlp.Tagging;

public sealed record TrainerOptions
{
    public int Epochs { get; init; } = 10;
    public ulong Seed { get; init; } = 1;
    /// <summary>Also train on an all-lowercase copy of every sentence, so lowercased captions (CC3M, RedCaps) tag well.</summary>
    public bool LowercaseCopies { get; init; } = true;
    /// <summary>
    /// Sentences with a larger share of proper nouns (titles, name lists) get no lowercase copy. 0.3 rather than 0.5
    /// costs about 0.1 point of lowercased dev accuracy but keeps lowercase noun phrases ("the big red balloon",
    /// "the dark forest") from turning into proper nouns.
    /// </summary>
    public double LowercaseCopyMaxProperShare { get; init; } = 0.3;
    /// <summary>Words seen at least this often with one tag in ≥ <see cref="TagDictionaryMinShare"/> of cases skip the model.</summary>
    public int TagDictionaryMinCount { get; init; } = 20;
    public double TagDictionaryMinShare { get; init; } = 0.97;
    /// <summary>Words seen at least this often get an ambiguity class (the tags they had in ≥ 5% of cases).</summary>
    public int AmbiguityMinCount { get; init; } = 1;
    public double AmbiguityMinShare { get; init; } = 0.05;
    /// <summary>
    /// Averaged weights smaller than this are dropped from the model: on EWT, 0.5 drops half of the weights of the
    /// 3-shuffle mean (mostly features seen in one shuffle only) with no loss on dev, and makes tagging faster.
    /// </summary>
    public float PruneBelow { get; init; } = 0.5f;
    /// <summary>Training words get ambiguity classes counted on the other folds of this many (1 = no jackknifing).</summary>
    public int AmbiguityFolds { get; init; } = 10;
    /// <summary>
    /// Jackknife folds are contiguous runs of sentences (whole documents) rather than every n-th sentence: a document's
    /// rare words (names, topic words) then fall in one fold, and about as many training tokens look unseen (6.6% on
    /// EWT, was 3.8%) as dev tokens are (6.4%), so the unseen-word features get realistic training.
    /// </summary>
    public bool ContiguousAmbiguityFolds { get; init; } = true;
    /// <summary>
    /// Train an <see cref="UnseenWordGuesser"/> on the words seen at most <see cref="GuesserMaxCount"/> times (jackknifed
    /// with the ambiguity folds for the training sentences) and give unseen words its tag as a feature.
    /// </summary>
    public bool UnseenWordGuesser { get; init; } = true;
    public int GuesserMaxCount { get; init; } = 2;
    public int GuesserEpochs { get; init; } = 5;
    /// <summary>Train this many perceptrons on differently seeded sentence orders and average their weights.</summary>
    public int Shuffles { get; init; } = 3;
    /// <summary>
    /// Also train a right-to-left perceptron (on reversed sentences). Tokens whose left-to-right margin is below
    /// <see cref="BackwardMargin"/> get the tag with the best sum of both directions' scores; the right-to-left model
    /// scores only those tokens.
    /// </summary>
    public bool Bidirectional { get; init; } = true;
    /// <summary>In averaged-weight units; +∞ combines the directions at every token the dictionary does not settle.</summary>
    public float BackwardMargin { get; init; } = 8f;
    /// <summary>
    /// The backward model drops weights below this (it only re-scores uncertain tokens). On EWT dev, shipped settings:
    /// 1.0 → 5.8 MB model, 94.81 / 93.73 %; 2.0 → 4.6 MB, 94.77 / 93.70 % (as written / lowercased; measured when the
    /// backward model still had word tables of its own).
    /// </summary>
    public float BackwardPruneBelow { get; init; } = 2f;
}

/// <summary>
/// Trains an averaged perceptron (Collins 2002; Honnibal's greedy tagger): each epoch visits the sentences
/// in a seeded shuffle, tags them greedily with the current weights and on a mistake adds 1 to the gold tag's
/// weights and subtracts 1 from the guess's; the model keeps the average of every weight over all steps.
/// Single-threaded and seeded, so the same data and options give the same model bytes.
/// </summary>
public sealed class PerceptronTrainer(TrainerOptions options)
{
    public TrainerOptions Options { get; } = options;

    /// <summary>Trains on <paramref name="train"/>; <paramref name="progress"/> gets (epoch, training accuracy) of the left-to-right model.</summary>
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
            if (!GetsLowercaseCopy(sentences[k], goldTags[k])) continue;
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
        int FoldOf(int k) => Options.ContiguousAmbiguityFolds ? (int)((long)k * folds / originals) : k % folds;
        for (int fold = 0; fold < folds; fold++)
        {
            var (foldKeys, foldMasks) = folds == 1 ? (ambKeys, ambMasks)
                : BuildAmbiguityClasses(Enumerable.Range(0, originals).Where(k => FoldOf(k) != fold), sentences, goldTags, tagId);
            var foldGuesser = TrainGuesser(Enumerable.Range(0, originals).Where(k => folds == 1 || FoldOf(k) != fold), sentences, goldTags, tagId, tagSet.Length);
            var lookup = new TaggerModel(new ModelData(tagSet, dictKeys, dictTags, foldKeys, foldMasks, [], [0], [], [], 1f, new Dictionary<string, string>(), [], Guesser: foldGuesser));
            for (int s = 0; s < sentences.Count; s++)
            {
                if (FoldOf(origin[s]) != fold) continue;
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
        var forward = TrainWeights(words, gold, dictionary, lowercase, nTags, progress);
        var (lemmaExceptions, knownLemmas) = LemmaTableBuilder.Build(train);
        var guesser = TrainGuesser(Enumerable.Range(0, originals), sentences, goldTags, tagId, tagSet.Length);
        var model = Finish(forward, tagSet, dictKeys, dictTags, ambKeys, ambMasks, lemmaExceptions, knownLemmas, guesser);
        if (Options.Bidirectional)
        {
            // The right-to-left model learns from the same jackknifed word features, read from the sentence end.
            static T[][] Reversed<T>(T[][] rows) => rows.Select(row => row.Reverse().ToArray()).ToArray();
            var backward = TrainWeights(Reversed(words), Reversed(gold), Reversed(dictionary), lowercase, nTags, progress: null);
            var backwardModel = Finish(backward, tagSet, dictKeys, dictTags, ambKeys, ambMasks, lemmaExceptions, knownLemmas, guesser);
            model = model.WithBackward(backwardModel.Pruned(Options.BackwardPruneBelow), Options.BackwardMargin);
        }
        return model;
    }

    /// <summary>
    /// The averaged perceptron weights (the mean of <see cref="TrainerOptions.Shuffles"/> runs on differently seeded
    /// sentence orders, pruned) learned from the given word features, gold tags and tag-dictionary tags.
    /// </summary>
    private (ulong[] Keys, int[] Starts, byte[] Tags, float[] Weights) TrainWeights(WordFeatures[][] words, byte[][] gold, int[][] dictionary,
        bool[] lowercase, int nTags, Action<int, double>? progress)
    {
        var scores = new float[nTags];
        var features = new ulong[FeatureTemplates.Count];
        var featureIds = new int[FeatureTemplates.Count];
        var runs = new List<(ulong[] Keys, int[] Starts, byte[] Tags, float[] Weights)>();
        for (int run = 0; run < Math.Max(1, Options.Shuffles); run++)
        {
            var weights = new AveragedWeights();
            var order = Enumerable.Range(0, words.Length).ToArray();
            var rng = new SplitMix64(run == 0 ? Options.Seed : Options.Seed ^ ((ulong)run * 0xA24BAED4963EE407UL));
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
                            Array.Clear(scores);
                            weights.Accumulate(features, featureIds, scores);
                            guess = ArgMax(scores);
                            weights.Step++;
                            if (guess != gold[s][i])
                            {
                                weights.Update(features, featureIds, gold[s][i], 1f);
                                weights.Update(features, featureIds, (byte)guess, -1f);
                            }
                        }
                        if (guess == gold[s][i]) correct++;
                        total++;
                        prev2 = prev;
                        prev = guess;
                    }
                }
                progress?.Invoke(run * Options.Epochs + epoch, total == 0 ? 0 : (double)correct / total);
            }
            runs.Add(weights.Averaged(runs.Count == 0 && Options.Shuffles <= 1 ? Options.PruneBelow : 0f));
        }
        return runs.Count == 1 ? runs[0] : AveragedWeights.Mean(runs, Options.PruneBelow);
    }

    /// <summary>
    /// Whether a training sentence also gets an all-lowercase copy. Titles and name lists ("The Big Red Balloon")
    /// lowercased look like ordinary captions; copying them would teach that lowercase ordinary words are proper nouns.
    /// </summary>
    internal bool GetsLowercaseCopy(string[] forms, string[] tags) =>
        Options.LowercaseCopies && forms.Any(f => f.Any(char.IsUpper))
        && tags.Count(t => t is "NNP" or "NNPS") <= Options.LowercaseCopyMaxProperShare * tags.Length;

    internal static int ArgMax(ReadOnlySpan<float> scores)
    {
        int best = 0;
        for (int t = 1; t < scores.Length; t++) if (scores[t] > scores[best]) best = t;
        return best;
    }

    /// <summary>Averages, prunes, quantizes and packs the weights into a model.</summary>
    private static TaggerModel Finish((ulong[] Keys, int[] Starts, byte[] Tags, float[] Weights) averaged,
        string[] tags, ulong[] dictKeys, byte[] dictTags, ulong[] ambKeys, ulong[] ambMasks,
        IReadOnlyDictionary<string, string> lemmaExceptions, IReadOnlyList<string> knownLemmas, GuesserData? guesser)
    {
        var (keys, starts, entryTags, entryWeights) = averaged;
        var (quantized, scale) = Quantize(entryWeights);
        return new TaggerModel(new ModelData(tags, dictKeys, dictTags, ambKeys, ambMasks, keys, starts,
            entryTags, quantized, scale, lemmaExceptions, knownLemmas, Guesser: guesser));
    }

    /// <summary>int16 weights with one scale: a quarter of the size of floats, and no measurable accuracy change.</summary>
    private static (short[] Weights, float Scale) Quantize(float[] weights)
    {
        float maxAbs = weights.Length == 0 ? 0 : weights.Max(Math.Abs);
        float scale = maxAbs > 0 ? maxAbs / short.MaxValue : 1f;
        return (weights.Select(x => (short)Math.Round(x / scale)).ToArray(), scale);
    }

    /// <summary>
    /// The unseen-word guesser trained on the tokens of the given sentences whose word occurs at most
    /// <see cref="TrainerOptions.GuesserMaxCount"/> times among them, or null when off.
    /// </summary>
    private GuesserData? TrainGuesser(IEnumerable<int> which, List<string[]> sentences, List<string[]> tags, Dictionary<string, byte> tagId, int nTags)
    {
        if (!Options.UnseenWordGuesser) return null;
        var selected = which.ToList();
        var counts = new Dictionary<ulong, int>();
        foreach (int s in selected)
            foreach (var form in sentences[s]) { var k = WordFeatures.WordKey(form); counts[k] = counts.GetValueOrDefault(k) + 1; }
        var examples = new List<(string, byte)>();
        foreach (int s in selected)
            for (int i = 0; i < sentences[s].Length; i++)
                if (counts[WordFeatures.WordKey(sentences[s][i])] <= Options.GuesserMaxCount) examples.Add((sentences[s][i], tagId[tags[s][i]]));
        var (keys, starts, entryTags, weights) = Tagging.UnseenWordGuesser.Train(examples, nTags, Options.GuesserEpochs, Options.Seed);
        return new GuesserData(keys, starts, entryTags, Quantize(weights).Weights);
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

    /// <summary>
    /// The tags each word had in ≥ <see cref="TrainerOptions.AmbiguityMinShare"/> of its occurrences: keyed by the
    /// lowercased form, and for capitalized forms also by the exact form (<see cref="WordFeatures.CasedKey"/>), so
    /// that "Union" (NNP) and "union" (NN) are told apart.
    /// </summary>
    private (ulong[] Keys, ulong[] Masks) BuildAmbiguityClasses(IEnumerable<int> which, List<string[]> sentences, List<string[]> tags, Dictionary<string, byte> tagId)
    {
        var selected = which.ToList();
        var selectedSentences = selected.Select(k => sentences[k]).ToList();
        var selectedTags = selected.Select(k => tags[k]).ToList();
        var entries = new List<(ulong Key, ulong Mask)>();
        foreach (var counts in new[]
                 {
                     CountTags(selectedSentences, selectedTags, tagId, form => WordFeatures.WordKey(form)),
                     CountTags(selectedSentences, selectedTags, tagId, form => WordFeatures.IsLowercase(form) ? 0 : WordFeatures.CasedKey(WordFeaturesExact(form))),
                 })
            foreach (var (key, byTag) in counts)
            {
                int total = byTag.Values.Sum();
                if (key == 0 || total < Options.AmbiguityMinCount) continue;
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

    internal static void Shuffle(int[] order, ref SplitMix64 rng)
    {
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = (int)(rng.Next() % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
    }

    /// <summary>A tiny seeded generator whose sequence is fixed by this code, not by the runtime's Random.</summary>
    internal struct SplitMix64(ulong seed)
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
