namespace SSeg.Runs;

/// <summary>
/// The one seed mixer of every trainer: a 64-bit FNV-1a over three numbers, with an extra xor-shift per step so that
/// neighbouring inputs (epoch 3 vs 4, position 10 vs 11) give unrelated seeds. Used for data order, augmentation draws
/// and the torch seed of each optimizer step, so a resumed run draws exactly what an uninterrupted one would.
/// </summary>
public static class SeedMixer
{
    /// <summary>The mixed value, any int (a <see cref="Random"/> seed takes negatives).</summary>
    public static int Mix(long a, long b, long c)
    {
        unchecked
        {
            ulong h = 0xcbf29ce484222325UL;
            foreach (var v in new[] { a, b, c })
            {
                h ^= (ulong)v;
                h *= 0x100000001b3UL;
                h ^= h >> 29;
            }
            return (int)(h ^ (h >> 32));
        }
    }

    /// <summary>The mixed value with the sign bit cleared, for seeds that must not be negative.</summary>
    public static int NonNegative(long a, long b, long c) => Mix(a, b, c) & int.MaxValue;
}
