using System.Text;

namespace SSeg.Pseudomask;

/// <summary>
/// Deterministic uniforms in [0, 1) for k-means++ seeding: SplitMix64 started from seed XOR FNV-1a-64(key),
/// so an image's clustering depends only on (seed, key), never on batch composition or device. The same
/// generator is written in Fixtures/generate_kmeans_fixture.py.
/// </summary>
public static class SeededUniforms
{
    public static double[] For(long seed, string key, int count)
    {
        var state = unchecked((ulong)seed) ^ Fnv1a64(key);
        var values = new double[count];
        for (var i = 0; i < count; i++) values[i] = (Next(ref state) >> 11) * (1.0 / (1UL << 53));
        return values;
    }

    public static ulong Fnv1a64(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash = unchecked(hash * 1099511628211UL);
        }
        return hash;
    }

    private static ulong Next(ref ulong state)
    {
        unchecked
        {
            state += 0x9E3779B97F4A7C15UL;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
