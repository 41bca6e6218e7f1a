using System.Runtime.CompilerServices;

namespace SSeg.Ingest.Nlp.Tagging;

/// <summary>
/// Hashes of one token's properties, computed once per token so that every feature of every position is a
/// cheap combination of precomputed numbers (no strings are built while tagging).
/// </summary>
internal struct WordFeatures
{
    /// <summary>Lowercased form with digits mapped to 0.</summary>
    public ulong Word;
    /// <summary>The form exactly as written (also the tag dictionary key).</summary>
    public ulong Exact;
    public ulong Suffix1, Suffix2, Suffix3, Suffix4;
    public ulong Prefix1, Prefix2, Prefix3;
    /// <summary>Character classes with repeats collapsed: "Xx", "d,d", "x-x".</summary>
    public ulong Shape;
    /// <summary>The set of tags the word had in training (0 for rare or unseen words).</summary>
    public ulong Ambiguity;
    /// <summary>For an unseen word, the stripped inflection and the ambiguity class of the seen base form ("carpets" → s + carpet's).</summary>
    public ulong BaseForm;
    /// <summary>For a capitalized word, the tag set of its exact form (0 if unseen); a fixed marker for lowercase words.</summary>
    public ulong CasedAmbiguity;
    /// <summary>For an unseen word, the <see cref="UnseenWordGuesser"/>'s best tag; 0 for seen words.</summary>
    public ulong Guess;

    public static readonly WordFeatures Start = Boundary(1);
    public static readonly WordFeatures End = Boundary(2);

    private static WordFeatures Boundary(ulong marker)
    {
        ulong h = FeatureHash.Finish(marker * 0xD6E8FEB86659FD93UL);
        return new WordFeatures
        {
            Word = h, Exact = h, Suffix1 = h, Suffix2 = h, Suffix3 = h, Suffix4 = h,
            Prefix1 = h, Prefix2 = h, Prefix3 = h, Shape = h, Ambiguity = h, BaseForm = h, CasedAmbiguity = h, Guess = h,
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static char Normalize(char c)
    {
        if (c < 128)
        {
            if ((uint)(c - 'A') <= 'Z' - 'A') return (char)(c | 0x20);
            if ((uint)(c - '0') <= 9) return '0';
            return c;
        }
        return char.IsDigit(c) ? '0' : char.ToLowerInvariant(c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static char ShapeClass(char c)
    {
        if (c < 128)
        {
            if ((uint)(c - 'a') <= 'z' - 'a') return 'x';
            if ((uint)(c - 'A') <= 'Z' - 'A') return 'X';
            if ((uint)(c - '0') <= 9) return 'd';
            return c;
        }
        if (char.IsUpper(c)) return 'X';
        if (char.IsLetter(c)) return 'x';
        if (char.IsDigit(c)) return 'd';
        return '*';
    }

    /// <summary>The lowercased, digit-normalized hash that keys the ambiguity classes.</summary>
    public static ulong WordKey(ReadOnlySpan<char> form) => FeatureHash.Finish(WordState(form));

    /// <summary>The key of <paramref name="stem"/> followed by <paramref name="extra"/> ("mak" + 'e').</summary>
    public static ulong WordKey(ReadOnlySpan<char> stem, char extra) => FeatureHash.Finish(Step(WordState(stem), extra));

    private static ulong WordState(ReadOnlySpan<char> form)
    {
        ulong h = FeatureHash.Seed;
        foreach (var c in form) h = Step(h, Normalize(c));
        return h;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Step(ulong h, char c) => FeatureHash.Step(h, c);

    /// <summary>The ambiguity-table key of a capitalized form's exact spelling (<see cref="Exact"/>), apart from the lowercase keys.</summary>
    public static ulong CasedKey(ulong exact) => FeatureHash.Finish(exact ^ 0x3C6EF372FE94F82BUL);

    /// <summary>Whether no word of the sentence has an uppercase letter.</summary>
    public static bool IsLowercase(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
            if (c < 128 ? (uint)(c - 'A') <= 'Z' - 'A' : char.IsUpper(c)) return false;
        return true;
    }

    /// <param name="lowercaseText">The whole sentence is lowercase (CC3M, RedCaps): then capitalization says nothing,
    /// so shape features get a separate identity and cased text keeps what it learned from cased sentences.</param>
    public static void Compute(ReadOnlySpan<char> form, bool lowercaseText, out WordFeatures f)
    {
        f = default;
        int n = form.Length;
        ulong lower = FeatureHash.Seed, exact = FeatureHash.Seed, shape = FeatureHash.Seed;
        char lastShape = '\0';
        for (int i = 0; i < n; i++)
        {
            char c = form[i];
            lower = Step(lower, Normalize(c));
            exact = Step(exact, c);
            char s = ShapeClass(c);
            if (s != lastShape) { shape = Step(shape, s); lastShape = s; }
            if (i == 0) f.Prefix1 = lower;
            else if (i == 1) f.Prefix2 = lower;
            else if (i == 2) f.Prefix3 = lower;
        }
        if (n < 2) f.Prefix2 = lower;
        if (n < 3) f.Prefix3 = lower;
        f.Word = FeatureHash.Finish(lower);
        f.Exact = FeatureHash.Finish(exact);
        f.Shape = lowercaseText ? Step(shape, '\u0001') : shape;
        ulong suffix = FeatureHash.Seed ^ 0x1234567UL;
        for (int k = 1; k <= 4; k++)
        {
            if (k <= n) suffix = Step(suffix, Normalize(form[n - k]));
            switch (k)
            {
                case 1: f.Suffix1 = suffix; break;
                case 2: f.Suffix2 = suffix; break;
                case 3: f.Suffix3 = suffix; break;
                default: f.Suffix4 = suffix; break;
            }
        }
    }
}
