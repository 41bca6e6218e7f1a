using System.Runtime.CompilerServices;

namespace SSeg.Ingest.Nlp.Tagging;

/// <summary>
/// Read-only open-addressing map from non-zero 64-bit keys to their position in the build order. Key and value
/// share a slot, so a lookup usually touches one cache line.
/// </summary>
internal sealed class HashIndex
{
    private struct Slot
    {
        public ulong Key;
        public int Value;
    }

    private readonly Slot[] _slots;
    private readonly int _mask;

    public HashIndex(ReadOnlySpan<ulong> keys)
    {
        int capacity = 16;
        while (capacity < keys.Length * 2) capacity <<= 1;
        _slots = new Slot[capacity];
        _mask = capacity - 1;
        for (int i = 0; i < keys.Length; i++)
        {
            ulong key = keys[i] | 1UL;
            int slot = (int)(key >> 20) & _mask;
            while (_slots[slot].Key != 0)
            {
                if (_slots[slot].Key == key) throw new ArgumentException($"duplicate key {key:X16}");
                slot = (slot + 1) & _mask;
            }
            _slots[slot] = new Slot { Key = key, Value = i };
        }
    }

    /// <summary>The position of <paramref name="key"/>, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(ulong key)
    {
        key |= 1UL;
        var slots = _slots;
        int slot = (int)(key >> 20) & _mask;
        while (true)
        {
            ref readonly var s = ref slots[slot];
            if (s.Key == key) return s.Value;
            if (s.Key == 0) return -1;
            slot = (slot + 1) & _mask;
        }
    }
}
