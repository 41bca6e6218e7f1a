using System.Runtime.CompilerServices;

namespace SSeg.Ingest.Nlp.Tagging;

/// <summary>
/// A trained averaged-perceptron POS tagger: tag set, tag dictionary (frequent unambiguous words),
/// ambiguity classes, sparse feature weights, and the lemma exceptions learned with it. Immutable, so one
/// instance serves any number of threads. Read and written by <see cref="TaggerModelFormat"/>.
/// </summary>
public sealed class TaggerModel
{
    private readonly HashIndex _tagDictionary;
    private readonly byte[] _tagDictionaryTags;
    private readonly HashIndex _ambiguity;
    private readonly ulong[] _ambiguityValues;
    private readonly WeightTable _weights;
    private readonly WeightTable? _guesser;
    private readonly WeightTable? _backward;

    internal TaggerModel(ModelData data)
    {
        if (data.Tags.Count is 0 or > 64) throw new ArgumentException("a model needs 1 to 64 tags");
        Data = data;
        Tags = data.Tags;
        _tagDictionary = new HashIndex(data.TagDictionaryKeys);
        _tagDictionaryTags = data.TagDictionaryTags;
        _ambiguity = new HashIndex(data.AmbiguityKeys);
        _ambiguityValues = data.AmbiguityMasks.Select(AmbiguityValue).ToArray();
        _weights = new WeightTable(data.FeatureKeys, data.FeatureStarts, data.EntryTags, data.EntryWeights);
        if (data.Guesser is { } guesser)
            _guesser = new WeightTable(guesser.FeatureKeys, guesser.FeatureStarts, guesser.EntryTags, guesser.EntryWeights);
        if (data.Backward is { } backward)
            _backward = new WeightTable(backward.FeatureKeys, backward.FeatureStarts, backward.EntryTags, backward.EntryWeights);
        Lemmatizer = new Lemmatizer(data.LemmaExceptions, data.KnownLemmas);
        TagIds = Tags.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i, StringComparer.Ordinal);
    }

    internal ModelData Data { get; }

    /// <summary>A copy without the weights smaller than <paramref name="minAbsWeight"/> (smaller and faster, slightly less accurate).</summary>
    public TaggerModel Pruned(float minAbsWeight)
    {
        var d = Data;
        int minQ = (int)Math.Ceiling(minAbsWeight / d.WeightScale);
        var keys = new List<ulong>();
        var starts = new List<int> { 0 };
        var tags = new List<byte>();
        var weights = new List<short>();
        for (int f = 0; f < d.FeatureKeys.Length; f++)
        {
            int before = tags.Count;
            for (int e = d.FeatureStarts[f]; e < d.FeatureStarts[f + 1]; e++)
                if (Math.Abs((int)d.EntryWeights[e]) >= minQ) { tags.Add(d.EntryTags[e]); weights.Add(d.EntryWeights[e]); }
            if (tags.Count == before) continue;
            keys.Add(d.FeatureKeys[f]);
            starts.Add(tags.Count);
        }
        return new TaggerModel(d with { FeatureKeys = keys.ToArray(), FeatureStarts = starts.ToArray(), EntryTags = tags.ToArray(), EntryWeights = weights.ToArray() });
    }

    public IReadOnlyList<string> Tags { get; }

    public IReadOnlyDictionary<string, int> TagIds { get; }

    public int FeatureCount => Data.FeatureKeys.Length;

    public int WeightCount => Data.EntryWeights.Length + (Data.Guesser?.EntryWeights.Length ?? 0) + (Data.Backward?.EntryWeights.Length ?? 0);

    /// <summary>The lemmatizer with the lemma data learned together with this model.</summary>
    public Lemmatizer Lemmatizer { get; }

    /// <summary>The ambiguity-class value a word's features use; 0 means unseen or rare.</summary>
    internal static ulong AmbiguityValue(ulong mask) => mask == 0 ? 0 : FeatureHash.Finish(mask ^ 0xA0761D6478BD642FUL);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void ComputeWordFeatures(ReadOnlySpan<char> form, bool lowercaseText, out WordFeatures features)
    {
        WordFeatures.Compute(form, lowercaseText, out features);
        int a = _ambiguity.Find(features.Word);
        features.Ambiguity = a < 0 ? 0 : _ambiguityValues[a];
        if (a < 0)
        {
            features.BaseForm = BaseFormValue(form);
            if (_guesser is not null) features.Guess = Guess(form);
        }
        if (WordFeatures.IsLowercase(form)) features.CasedAmbiguity = 1;
        else
        {
            int c = _ambiguity.Find(WordFeatures.CasedKey(features.Exact));
            features.CasedAmbiguity = c < 0 ? 0 : _ambiguityValues[c];
        }
    }

    private static readonly string[] Inflections = ["ing", "ies", "ied", "ed", "es", "s", "ly", "er", "est"];

    /// <summary>Strips an inflection from an unseen word and looks its base up: "reheated" → ed + reheat's class.</summary>
    private ulong BaseFormValue(ReadOnlySpan<char> form)
    {
        for (int k = 0; k < Inflections.Length; k++)
        {
            var suffix = Inflections[k];
            if (form.Length < suffix.Length + 3 || !form.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) continue;
            var stem = form[..^suffix.Length];
            int found = suffix is "ies" or "ied" ? _ambiguity.Find(WordFeatures.WordKey(stem, 'y'))
                : _ambiguity.Find(WordFeatures.WordKey(stem));
            if (found < 0 && suffix is "ing" or "ed" or "er" or "est")
            {
                found = _ambiguity.Find(WordFeatures.WordKey(stem, 'e'));
                if (found < 0 && stem.Length > 2 && stem[^1] == stem[^2]) found = _ambiguity.Find(WordFeatures.WordKey(stem[..^1]));
            }
            if (found >= 0) return FeatureHash.Of(k, _ambiguityValues[found]);
        }
        return 0;
    }

    /// <summary>The <see cref="UnseenWordGuesser"/>'s best tag for an unseen word, as a feature value.</summary>
    private ulong Guess(ReadOnlySpan<char> form)
    {
        Span<ulong> features = stackalloc ulong[UnseenWordGuesser.MaxFeatures];
        int n = UnseenWordGuesser.Features(form, features);
        Span<int> scores = stackalloc int[Tags.Count];
        _guesser!.Accumulate(features[..n], scores);
        return UnseenWordGuesser.Value(Best(scores, out _));
    }

    /// <summary>The tag-dictionary tag of a word (by its exact form), or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int DictionaryTag(in WordFeatures word)
    {
        int d = _tagDictionary.Find(word.Exact);
        return d < 0 ? -1 : _tagDictionaryTags[d];
    }

    /// <summary>
    /// Sums the (int16, one scale for all) weights of <see cref="FeatureTemplates.Extract"/>'s features into
    /// <paramref name="scores"/> and returns the best tag and its margin over the runner-up. The bias (the first feature)
    /// and the last three (previous tags only) come from the dense transition table instead of four weight lookups.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int PredictWithTransitions(ReadOnlySpan<ulong> features, int prevTag, int prevTag2, bool lowercase, Span<int> scores, out int margin)
    {
        ScoreWithTransitions(_weights, _transitions ??= BuildTransitions(_weights), features, prevTag, prevTag2, lowercase, scores);
        return Best(scores, out margin);
    }

    /// <summary>The backward model's scores (int16 units of its own scale) of <see cref="FeatureTemplates.Extract"/>'s features, like <see cref="PredictWithTransitions"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void ScoreBackward(ReadOnlySpan<ulong> features, int prevTag, int prevTag2, bool lowercase, Span<int> scores) =>
        ScoreWithTransitions(_backward!, _backwardTransitions ??= BuildTransitions(_backward!), features, prevTag, prevTag2, lowercase, scores);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ScoreWithTransitions(WeightTable weights, int[] table, ReadOnlySpan<ulong> features, int prevTag, int prevTag2, bool lowercase, Span<int> scores)
    {
        int nTags = scores.Length, rows = nTags + 2;
        table.AsSpan((((lowercase ? 1 : 0) * rows + prevTag) * rows + prevTag2) * nTags, nTags).CopyTo(scores);
        weights.Accumulate(features[1..(FeatureTemplates.Count - FeatureTemplates.TransitionCount)], scores);
    }

    private int[]? _transitions, _backwardTransitions;

    /// <summary>
    /// The summed weights of the bias and templates 12–14 (previous two tags only) for every (lowercase, t1, t2), dense,
    /// so a token pays one row of adds instead of four lookups. t1 ∈ [0, nTags] and t2 ∈ [0, nTags + 1]
    /// (sentence-start markers).
    /// </summary>
    private int[] BuildTransitions(WeightTable weights)
    {
        int nTags = Tags.Count, rows = nTags + 2;
        var table = new int[2 * rows * rows * nTags];
        Span<ulong> f = stackalloc ulong[FeatureTemplates.TransitionCount + 1];
        for (int lc = 0; lc < 2; lc++)
            for (int t1 = 0; t1 < rows; t1++)
                for (int t2 = 0; t2 < rows; t2++)
                {
                    FeatureTemplates.ExtractTransition(t1, t2, lc == 1, f);
                    f[FeatureTemplates.TransitionCount] = FeatureTemplates.Bias(lc == 1);
                    weights.Accumulate(f, table.AsSpan(((lc * rows + t1) * rows + t2) * nTags, nTags));
                }
        return table;
    }

    /// <summary>Whether a right-to-left model re-scores the tokens the forward pass is unsure of.</summary>
    public bool HasBackward => _backward is not null;

    /// <summary>This model with <paramref name="backward"/>'s weights as its right-to-left model.</summary>
    internal TaggerModel WithBackward(TaggerModel backward, float margin)
    {
        var b = backward.Data;
        return new TaggerModel(Data with { Backward = new BackwardData(b.FeatureKeys, b.FeatureStarts, b.EntryTags, b.EntryWeights, b.WeightScale, margin) });
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Best(ReadOnlySpan<int> scores, out int margin)
    {
        int best = 0, bestScore = scores[0], second = int.MinValue;
        for (int t = 1; t < scores.Length; t++)
        {
            int s = scores[t];
            if (s > bestScore) { second = bestScore; bestScore = s; best = t; }
            else if (s > second) second = s;
        }
        margin = second == int.MinValue ? int.MaxValue : bestScore - second;
        return best;
    }
}

/// <summary>The serialized content of a <see cref="TaggerModel"/>; features sorted by key, entries grouped per feature.</summary>
internal sealed record ModelData(
    IReadOnlyList<string> Tags,
    ulong[] TagDictionaryKeys,
    byte[] TagDictionaryTags,
    ulong[] AmbiguityKeys,
    ulong[] AmbiguityMasks,
    ulong[] FeatureKeys,
    int[] FeatureStarts,
    byte[] EntryTags,
    short[] EntryWeights,
    float WeightScale,
    IReadOnlyDictionary<string, string> LemmaExceptions,
    IReadOnlyList<string> KnownLemmas,
    GuesserData? Guesser = null,
    BackwardData? Backward = null);

/// <summary>
/// A right-to-left perceptron's weights (trained on reversed sentences, same tag set and word tables) and the
/// forward margin (in averaged-weight units) below which a token gets the sum of both directions' scores.
/// </summary>
internal sealed record BackwardData(ulong[] FeatureKeys, int[] FeatureStarts, byte[] EntryTags, short[] EntryWeights, float WeightScale, float Margin);

/// <summary>The unseen-word guesser's weights (int16 with a scale of their own, which an argmax does not need).</summary>
internal sealed record GuesserData(ulong[] FeatureKeys, int[] FeatureStarts, byte[] EntryTags, short[] EntryWeights);
