using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace SSeg.Ingest.Nlp.Tagging;

/// <summary>
/// The tagging hot path's view of the weights: an open-addressing table of 8-byte slots (32-bit key
/// fingerprint, entry start and count) over one packed array of (int16 weight, tag) entries, so that a feature
/// costs about two cache-line reads. Two features whose fingerprints collide keep the first (in key order);
/// with a few hundred thousand features that drops a handful, deterministically.
/// </summary>
internal sealed class WeightTable
{
    private readonly ulong[] _slots;
    private readonly int[] _entries;
    private readonly int _mask;

    public WeightTable(ReadOnlySpan<ulong> keys, ReadOnlySpan<int> starts, ReadOnlySpan<byte> tags, ReadOnlySpan<short> weights)
    {
        if (tags.Length >= 1 << 24) throw new ArgumentException("too many weights for the table");
        int capacity = 16;
        while (capacity * 3 < keys.Length * 4) capacity <<= 1; // load ≤ 0.75
        _slots = new ulong[capacity];
        _mask = capacity - 1;
        _entries = new int[tags.Length];
        for (int e = 0; e < tags.Length; e++) _entries[e] = (weights[e] << 8) | tags[e];
        for (int f = 0; f < keys.Length; f++)
        {
            int count = starts[f + 1] - starts[f];
            if (count == 0) continue;
            uint fingerprint = Fingerprint(keys[f]);
            int slot = (int)keys[f] & _mask;
            bool duplicate = false;
            while (_slots[slot] != 0)
            {
                if ((uint)(_slots[slot] >> 32) == fingerprint) { duplicate = true; break; }
                slot = (slot + 1) & _mask;
            }
            if (!duplicate) _slots[slot] = ((ulong)fingerprint << 32) | ((ulong)starts[f] << 8) | (uint)count;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Fingerprint(ulong key) => (uint)(key >> 32) | 1u;

    /// <summary>Adds the int16 weights of every known feature to <paramref name="scores"/>.</summary>
    /// <remarks>
    /// Three passes so that the cache misses overlap instead of queueing: prefetch every feature's slot, then
    /// resolve the slots and prefetch their entries, then add the entries.
    /// </remarks>
    public unsafe void Accumulate(ReadOnlySpan<ulong> features, Span<int> scores)
    {
        int n = features.Length;
        Span<int> found = stackalloc int[n];
        int mask = _mask;
        fixed (ulong* slots = _slots)
        fixed (int* entries = _entries)
        {
            if (Sse.IsSupported)
                for (int k = 0; k < n; k++) Sse.Prefetch0(slots + ((int)features[k] & mask));
            for (int k = 0; k < n; k++)
            {
                ulong key = features[k];
                uint fingerprint = Fingerprint(key);
                int slot = (int)key & mask;
                found[k] = -1;
                while (true)
                {
                    ulong s = slots[slot];
                    if (s == 0) break;
                    if ((uint)(s >> 32) == fingerprint)
                    {
                        found[k] = slot;
                        if (Sse.IsSupported) Sse.Prefetch0(entries + (int)((uint)s >> 8));
                        break;
                    }
                    slot = (slot + 1) & mask;
                }
            }
            for (int k = 0; k < n; k++)
            {
                if (found[k] < 0) continue;
                ulong s = slots[found[k]];
                int* e = entries + (int)((uint)s >> 8);
                int* end = e + (int)(s & 0xFF);
                for (; e < end; e++) scores[*e & 0xFF] += *e >> 8;
            }
        }
    }
}
