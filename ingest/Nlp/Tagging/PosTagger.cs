using System.Buffers;
using SSeg.Ingest.Nlp.Tokenization;

namespace SSeg.Ingest.Nlp.Tagging;

/// <summary>
/// Greedy left-to-right tagging with a <see cref="TaggerModel"/>. Stateless apart from the immutable model,
/// so one instance is safe to share between threads; per-call scratch lives on the stack or in pooled arrays.
/// </summary>
public sealed class PosTagger
{
    private const int StackTokens = 128;
    private readonly int _addTag, _nfpTag, _nnpTag;

    public PosTagger(TaggerModel model)
    {
        Model = model;
        _addTag = model.TagIds.GetValueOrDefault("ADD", -1);
        _nfpTag = model.TagIds.GetValueOrDefault("NFP", -1);
        _nnpTag = model.TagIds.GetValueOrDefault("NNP", -1);
    }

    public TaggerModel Model { get; }

    /// <summary>Tags a sequence of already tokenized words (for example a CoNLL-U sentence).</summary>
    public string[] Tag(IReadOnlyList<string> words)
    {
        var result = new string[words.Count];
        if (words.Count == 0) return result;
        var features = new WordFeatures[words.Count];
        bool lowercase = words.All(w => WordFeatures.IsLowercase(w));
        for (int i = 0; i < words.Count; i++) Model.ComputeWordFeatures(words[i], lowercase, out features[i]);
        var tags = new byte[words.Count];
        TagWords(features, default, lowercase, tags);
        for (int i = 0; i < tags.Length; i++) result[i] = Model.Tags[tags[i]];
        return result;
    }

    /// <summary>Tags the tokens of <paramref name="text"/>; URLs, emoticons and placeholders get fixed tags.</summary>
    public void Tag(string text, ReadOnlySpan<Token> tokens, Span<byte> tags)
    {
        int n = tokens.Length;
        if (n == 0) return;
        WordFeatures[]? rentedFeatures = null;
        sbyte[]? rentedForced = null;
        Span<WordFeatures> features = n <= StackTokens ? stackalloc WordFeatures[n] : (rentedFeatures = ArrayPool<WordFeatures>.Shared.Rent(n)).AsSpan(0, n);
        Span<sbyte> forced = n <= StackTokens ? stackalloc sbyte[n] : (rentedForced = ArrayPool<sbyte>.Shared.Rent(n)).AsSpan(0, n);
        try
        {
            bool lowercase = true;
            foreach (var token in tokens)
                if (token.Kind == TokenKind.Word && !WordFeatures.IsLowercase(token.Slice(text))) { lowercase = false; break; }
            for (int i = 0; i < n; i++)
            {
                var token = tokens[i];
                Model.ComputeWordFeatures(token.Slice(text), lowercase, out features[i]);
                forced[i] = (sbyte)(token.Kind switch
                {
                    TokenKind.Url => _addTag,
                    TokenKind.Emoticon => _nfpTag,
                    TokenKind.PersonPlaceholder or TokenKind.UserPlaceholder => _nnpTag,
                    _ => -1,
                });
            }
            TagWords(features, forced, lowercase, tags);
        }
        finally
        {
            if (rentedFeatures is not null) ArrayPool<WordFeatures>.Shared.Return(rentedFeatures);
            if (rentedForced is not null) ArrayPool<sbyte>.Shared.Return(rentedForced);
        }
    }

    private void TagWords(ReadOnlySpan<WordFeatures> words, ReadOnlySpan<sbyte> forced, bool lowercase, Span<byte> tags)
    {
        if (Model.HasBackward) TagBidirectional(words, forced, lowercase, tags);
        else TagFirstPass(words, forced, lowercase, tags, default);
    }
    /// <summary>
    /// The forward greedy pass, then, right to left, each token whose forward margin is below the model's threshold
    /// gets the tag with the best sum of forward and backward scores. The backward model sees the tags already chosen
    /// for the next two tokens (forward tags, or combined ones) instead of running its own pass, so it costs one
    /// scoring per such token (as accurate on EWT dev as a full right-to-left pass from the sentence end).
    /// </summary>
    private void TagBidirectional(ReadOnlySpan<WordFeatures> words, ReadOnlySpan<sbyte> forced, bool lowercase, Span<byte> tags)
    {
        int n = words.Length, nTags = Model.Tags.Count;
        var backward = Model.Data.Backward!;
        float forwardScale = Model.Data.WeightScale, backwardScale = backward.WeightScale;
        int threshold = (int)Math.Min(int.MaxValue, Math.Ceiling(backward.Margin / forwardScale)); // margin < threshold: combine
        int[]? rentedMargins = null, rentedScores = null;
        Span<int> margins = n <= StackTokens ? stackalloc int[n] : (rentedMargins = ArrayPool<int>.Shared.Rent(n)).AsSpan(0, n);
        try
        {
            Span<int> forwardScores = n * nTags <= 8192 ? stackalloc int[n * nTags] : (rentedScores = ArrayPool<int>.Shared.Rent(n * nTags)).AsSpan(0, n * nTags);
            TagFirstPass(words, forced, lowercase, tags, margins, forwardScores);
            if (margins.IndexOfAnyExceptInRange(threshold, int.MaxValue) < 0) return;
            Span<WordFeatures> window = stackalloc WordFeatures[5];
            Span<int> scores = stackalloc int[nTags];
            Span<ulong> features = stackalloc ulong[FeatureTemplates.Count];
            for (int i = n - 1; i >= 0; i--)
            {
                if (margins[i] >= threshold) continue;
                // The reversed sentence around i: reversed index r = n-1-i, reading r-2 .. r+2 (words i+2 .. i-2).
                int r = n - 1 - i, from = Math.Max(0, r - 2), to = Math.Min(n, r + 3);
                for (int k = from; k < to; k++) window[k - from] = words[n - 1 - k];
                int prev = i + 1 < n ? tags[i + 1] : nTags;
                int prev2 = i + 2 < n ? tags[i + 2] : i + 2 == n ? nTags : nTags + 1;
                FeatureTemplates.Extract(window[..(to - from)], r - from, prev, prev2, lowercase, features);
                Model.ScoreBackward(features, prev, prev2, lowercase, scores);
                var forward = forwardScores.Slice(i * nTags, nTags);
                int best = 0;
                float bestScore = float.NegativeInfinity;
                for (int t = 0; t < nTags; t++)
                {
                    float s = forward[t] * forwardScale + scores[t] * backwardScale;
                    if (s > bestScore) { bestScore = s; best = t; }
                }
                tags[i] = (byte)best;
            }
        }
        finally
        {
            if (rentedMargins is not null) ArrayPool<int>.Shared.Return(rentedMargins);
            if (rentedScores is not null) ArrayPool<int>.Shared.Return(rentedScores);
        }
    }

    /// <summary>
    /// Greedy left-to-right first pass. With non-empty <paramref name="margins"/>, keeps every model-scored token's
    /// best-minus-runner-up score margin (int.MaxValue for tokens the dictionary or their kind settles).
    /// </summary>
    internal void TagFirstPass(ReadOnlySpan<WordFeatures> words, ReadOnlySpan<sbyte> forced, bool lowercase, Span<byte> tags, Span<int> margins,
        Span<int> scoreRows = default)
    {
        int nTags = Model.Tags.Count;
        Span<int> scores = stackalloc int[nTags];
        Span<ulong> features = stackalloc ulong[FeatureTemplates.Count];
        bool keep = !margins.IsEmpty;
        int prev = nTags, prev2 = nTags + 1; // sentence-start markers
        for (int i = 0; i < words.Length; i++)
        {
            int tag = forced.IsEmpty ? -1 : forced[i];
            if (tag < 0) tag = Model.DictionaryTag(words[i]);
            int margin = int.MaxValue;
            if (tag < 0)
            {
                FeatureTemplates.Extract(words, i, prev, prev2, lowercase, features);
                tag = Model.PredictWithTransitions(features, prev, prev2, lowercase, scores, out margin);
                if (!scoreRows.IsEmpty) scores.CopyTo(scoreRows.Slice(i * nTags, nTags));
            }
            if (keep) margins[i] = margin;
            tags[i] = (byte)tag;
            prev2 = prev;
            prev = tag;
        }
    }
}
