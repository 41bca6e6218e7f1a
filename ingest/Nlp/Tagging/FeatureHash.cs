using System.Runtime.CompilerServices;

namespace SSeg.Ingest.Nlp.Tagging;

/// <summary>64-bit hashing of characters and feature combinations; stable across runs and platforms (part of the model format).</summary>
internal static class FeatureHash
{
    public const ulong Seed = 0xCBF29CE484222325UL;
    private const ulong Prime = 0x100000001B3UL;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Step(ulong state, char c) => (state ^ c) * Prime;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Finish(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The feature "template <paramref name="template"/> has value <paramref name="a"/>"; never 0 (0 marks an empty slot).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Of(int template, ulong a) => Finish(a + (ulong)(template + 1) * 0x9E3779B97F4A7C15UL) | 1UL;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Of(int template, ulong a, ulong b) => Of(template, Finish(a ^ 0x5851F42D4C957F2DUL) ^ (b * 0x2545F4914F6CDD1DUL));

    public static ulong OfString(ReadOnlySpan<char> s)
    {
        ulong h = Seed;
        foreach (var c in s) h = Step(h, c);
        return Finish(h);
    }
}
