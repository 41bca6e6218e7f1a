using System.Runtime.CompilerServices;

namespace SSeg.Ingest.Nlp.Tagging;

/// <summary>
/// Features of the second tagging pass (stacking): every first-pass template, with the first pass's tags as the
/// left context, plus the first pass's tags of the words to the RIGHT (which a greedy left-to-right tagger cannot
/// see), alone and combined with the word and its left tag.
/// Changing a template changes the model format: bump <see cref="FeatureTemplates.Version"/>.
/// </summary>
internal static class SecondPassFeatures
{
    private const int RightContext = 13;
    public const int Count = RightContext + FeatureTemplates.Count;

    private const ulong StartTag = 0xFE, EndTag = 0xFF;

    /// <summary>Fills <paramref name="f"/> with the features of position i given the first pass's tags.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Extract(ReadOnlySpan<WordFeatures> words, ReadOnlySpan<byte> firstTags, int i, int nTags, bool lowercaseText, Span<ulong> f)
    {
        int n = words.Length;
        ref readonly var w = ref words[i];
        ulong t0 = firstTags[i];
        ulong p1 = i > 0 ? firstTags[i - 1] : StartTag;
        ulong n1 = i + 1 < n ? firstTags[i + 1] : EndTag;
        ulong n2 = i + 2 < n ? firstTags[i + 2] : i + 1 < n ? EndTag : EndTag + 1;

        f[0] = FeatureHash.Of(100, t0);
        f[1] = FeatureHash.Of(101, n1);
        f[2] = FeatureHash.Of(102, n2);
        f[3] = FeatureHash.Of(103, n1, n2);
        f[4] = FeatureHash.Of(104, p1, n1);
        f[5] = FeatureHash.Of(105, t0, n1);
        f[6] = FeatureHash.Of(106, w.Word, n1);
        f[7] = FeatureHash.Of(107, w.Suffix3, n1);
        f[8] = FeatureHash.Of(108, w.Ambiguity, n1);
        f[9] = FeatureHash.Of(109, w.Shape, n1);
        f[10] = FeatureHash.Of(110, w.Word, n2);
        f[11] = FeatureHash.Of(111, t0, n1 << 8 | n2);
        f[12] = FeatureHash.Of(112, p1 << 8 | t0, n1);
        if (lowercaseText)
            for (int k = 0; k < RightContext; k++) f[k] ^= FeatureTemplates.LowercaseSalt;

        int prev = i > 0 ? firstTags[i - 1] : nTags, prev2 = i > 1 ? firstTags[i - 2] : i > 0 ? nTags : nTags + 1;
        FeatureTemplates.Extract(words, i, prev, prev2, lowercaseText, f[RightContext..]);
    }
}
