using System.Runtime.CompilerServices;

namespace SSeg.Ingest.Nlp.Tagging;

/// <summary>
/// The tagger's feature templates (Honnibal-style averaged perceptron features plus a few context
/// conjunctions): the word, its affixes and shape, two words of context each side, the previous two
/// predicted tags, the training-set tag sets ("ambiguity classes") of the word and the next words, and for an
/// unseen word the character n-gram guesser's tag.
/// Training and tagging both call this, so the model always sees the features it was trained with.
/// Changing a template changes the model format: bump <see cref="Version"/>.
/// </summary>
internal static class FeatureTemplates
{
    public const int Version = 6;
    public const int Count = 37;

    /// <summary>
    /// XORed into every feature of an all-lowercase sentence: lowercase text (CC3M, RedCaps) and cased text get
    /// separate weights, so training on lowercased copies teaches the lowercase case without blurring what
    /// capitalization says in cased text. Even, so features stay odd (non-zero).
    /// </summary>
    public const ulong LowercaseSalt = 0x5BD1E9955BD1E994UL;

    /// <summary>The features that read only the previous tags (templates 12–14): the same at every position.</summary>
    public const int TransitionCount = 3;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ExtractTransition(int prevTag, int prevTag2, bool lowercaseText, Span<ulong> f)
    {
        ulong t1 = (ulong)prevTag, t2 = (ulong)prevTag2, salt = lowercaseText ? LowercaseSalt : 0;
        f[0] = FeatureHash.Of(12, t1) ^ salt;
        f[1] = FeatureHash.Of(13, t2) ^ salt;
        f[2] = FeatureHash.Of(14, t1, t2) ^ salt;
    }

    /// <summary>The bias feature (template 0, the first that <see cref="Extract"/> writes).</summary>
    public static ulong Bias(bool lowercaseText) => FeatureHash.Of(0, 1) ^ (lowercaseText ? LowercaseSalt : 0);

    /// <summary>
    /// Fills <paramref name="f"/> (length ≥ <see cref="Count"/>) with the features of position i. The last
    /// <see cref="TransitionCount"/> are templates 12–14 (previous tags only), which tagging adds from a dense table.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Extract(ReadOnlySpan<WordFeatures> words, int i, int prevTag, int prevTag2, bool lowercaseText, Span<ulong> f)
    {
        ref readonly var w = ref words[i];
        ref readonly var p = ref i > 0 ? ref words[i - 1] : ref WordFeatures.Start;
        ref readonly var p2 = ref i > 1 ? ref words[i - 2] : ref WordFeatures.Start;
        ref readonly var n = ref i + 1 < words.Length ? ref words[i + 1] : ref WordFeatures.End;
        ref readonly var n2 = ref i + 2 < words.Length ? ref words[i + 2] : ref WordFeatures.End;
        ulong t1 = (ulong)prevTag, t2 = (ulong)prevTag2;

        f[0] = FeatureHash.Of(0, 1);
        f[1] = FeatureHash.Of(1, w.Word);
        f[2] = FeatureHash.Of(2, w.Exact);
        f[3] = FeatureHash.Of(3, w.Suffix1);
        f[4] = FeatureHash.Of(4, w.Suffix2);
        f[5] = FeatureHash.Of(5, w.Suffix3);
        f[6] = FeatureHash.Of(6, w.Suffix4);
        f[7] = FeatureHash.Of(7, w.Prefix1);
        f[8] = FeatureHash.Of(8, w.Prefix2);
        f[9] = FeatureHash.Of(9, w.Prefix3);
        f[10] = FeatureHash.Of(10, w.Shape);
        f[11] = FeatureHash.Of(11, w.Ambiguity);
        f[34] = FeatureHash.Of(12, t1);
        f[35] = FeatureHash.Of(13, t2);
        f[36] = FeatureHash.Of(14, t1, t2);
        f[15] = FeatureHash.Of(15, t1, w.Word);
        f[16] = FeatureHash.Of(16, p.Word);
        f[17] = FeatureHash.Of(17, p2.Word);
        f[18] = FeatureHash.Of(18, n.Word);
        f[19] = FeatureHash.Of(19, n2.Word);
        f[20] = FeatureHash.Of(20, p.Suffix3);
        f[21] = FeatureHash.Of(21, n.Suffix3);
        f[22] = FeatureHash.Of(22, n.Ambiguity);
        f[23] = FeatureHash.Of(23, n2.Ambiguity);
        f[24] = FeatureHash.Of(24, n.Shape);
        f[25] = FeatureHash.Of(25, p.Shape);
        f[26] = FeatureHash.Of(26, w.Word, n.Word);
        f[27] = FeatureHash.Of(27, p.Word, w.Word);
        f[28] = FeatureHash.Of(28, t1, w.Ambiguity);
        f[29] = FeatureHash.Of(29, t1, w.Suffix3);
        f[30] = FeatureHash.Of(30, i == 0 ? 1UL : 0UL, w.Shape);
        f[31] = FeatureHash.Of(31, t1, n.Ambiguity);
        f[12] = FeatureHash.Of(32, w.Ambiguity, n.Ambiguity);
        f[13] = FeatureHash.Of(33, w.BaseForm);
        f[14] = FeatureHash.Of(34, w.CasedAmbiguity);
        f[32] = FeatureHash.Of(35, w.Guess);
        f[33] = FeatureHash.Of(36, t1, w.Guess);
        if (lowercaseText)
            for (int k = 0; k < Count; k++) f[k] ^= LowercaseSalt;
    }
}
