using System.Collections;

namespace SSeg.Shards.Commits;

/// <summary>
/// The head of every committed shard of one kind, by index, kept as blocks (<see cref="HeadsBlock"/>): what a reader
/// holds of a dataset between reads and what its snapshots share. Immutable: <see cref="Merge"/> copies only the
/// blocks a change touches, so a poll that took a few commits costs a few blocks, not the dataset. Blocks may be
/// spilled to a local file (<see cref="SpilledTo"/>); the table itself then holds a few dozen bytes per 1,000 shards.
/// </summary>
internal sealed class HeadsTable : IReadOnlyList<ShardHead>
{
    private readonly HeadsBlock[] _blocks;
    /// <summary>Heads before each block: where block i starts in the table's positions.</summary>
    private readonly int[] _starts;

    public static readonly HeadsTable Empty = new([]);

    private HeadsTable(HeadsBlock[] blocks)
    {
        _blocks = blocks;
        _starts = new int[blocks.Length];
        var count = 0;
        long held = 0;
        for (var i = 0; i < blocks.Length; i++)
        {
            _starts[i] = count;
            count += blocks[i].Count;
            held += blocks[i].HeldBytes;
        }
        Count = count;
        HeldBytes = held;
        SpilledBytes = HeadsSpill.BytesOf(count) - held;
    }

    /// <summary>A table of <paramref name="heads"/>, sorted by index with no index twice, held in memory.</summary>
    public static HeadsTable Of(IEnumerable<ShardHead> heads)
    {
        var blocks = new List<HeadsBlock>();
        var current = new List<ShardHead>();
        int? previous = null;
        foreach (var head in heads)
        {
            if (head.Index <= previous)
                throw new ArgumentException($"Heads must be sorted by index with none twice: shard {head.Index} follows {previous}.", nameof(heads));
            if (current.Count > 0 && CheckpointSegment.BlockOf(head.Index) != CheckpointSegment.BlockOf(current[0].Index))
            {
                blocks.Add(HeadsBlock.Held(current.ToArray()));
                current.Clear();
            }
            current.Add(head);
            previous = head.Index;
        }
        if (current.Count > 0) blocks.Add(HeadsBlock.Held(current.ToArray()));
        return new HeadsTable(blocks.ToArray());
    }

    public int Count { get; }

    /// <summary>Bytes of heads held in memory (32 a shard, 0 for spilled blocks).</summary>
    public long HeldBytes { get; }

    /// <summary>Bytes of heads in spill files.</summary>
    public long SpilledBytes { get; }

    /// <summary>The highest shard index in the table, or null when it is empty.</summary>
    public int? LastIndex => _blocks.Length == 0 ? null : _blocks[^1].LastIndex;

    /// <summary>The blocks, by block number, none empty.</summary>
    public IReadOnlyList<HeadsBlock> Blocks => _blocks;

    public ShardHead this[int position]
    {
        get
        {
            if ((uint)position >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(position), position, $"The table holds {Count} heads.");
            var at = Array.BinarySearch(_starts, position);
            if (at < 0) at = ~at - 1;
            return _blocks[at].Heads()[position - _starts[at]];
        }
    }

    /// <summary>The block numbered <paramref name="block"/>, or null when no shard of it is committed.</summary>
    public HeadsBlock? BlockNumbered(int block)
    {
        int lo = 0, hi = _blocks.Length - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var at = _blocks[mid].Block;
            if (at == block) return _blocks[mid];
            if (at < block) lo = mid + 1;
            else hi = mid - 1;
        }
        return null;
    }

    /// <summary>The head of shard <paramref name="index"/>, or null.</summary>
    public ShardHead? Find(int index)
    {
        if (BlockNumbered(CheckpointSegment.BlockOf(index)) is not { } block) return null;
        var heads = block.Heads();
        var at = HeadsBlock.BinarySearch(heads, index);
        return at >= 0 ? heads[at] : null;
    }

    /// <summary>
    /// This table with <paramref name="changes"/> (sorted by index, none twice) taken: a change replaces the head of
    /// its shard or adds it. Blocks no change touches are shared with this table.
    /// </summary>
    public HeadsTable Merge(ReadOnlySpan<ShardHead> changes)
    {
        if (changes.IsEmpty) return this;
        var blocks = new List<HeadsBlock>(_blocks.Length + 1);
        int b = 0, c = 0;
        while (c < changes.Length)
        {
            var number = CheckpointSegment.BlockOf(changes[c].Index);
            var end = c;
            while (end < changes.Length && CheckpointSegment.BlockOf(changes[end].Index) == number) end++;
            while (b < _blocks.Length && _blocks[b].Block < number) blocks.Add(_blocks[b++]);
            var old = b < _blocks.Length && _blocks[b].Block == number ? _blocks[b++].Heads() : [];
            blocks.Add(HeadsBlock.Held(MergeSorted(old, changes[c..end])));
            c = end;
        }
        while (b < _blocks.Length) blocks.Add(_blocks[b++]);
        return new HeadsTable(blocks.ToArray());
    }

    /// <summary>This table with every block held in memory written to <paramref name="spill"/> (and, with <paramref name="all"/>, every block).</summary>
    public HeadsTable SpilledTo(HeadsSpill spill, bool all = false)
    {
        if (!all && HeldBytes == 0) return this;
        var blocks = new HeadsBlock[_blocks.Length];
        for (var i = 0; i < blocks.Length; i++)
            blocks[i] = all || _blocks[i].Spill is null ? _blocks[i].SpilledTo(spill) : _blocks[i];
        return new HeadsTable(blocks);
    }

    /// <summary>Bytes of this table's blocks that are in <paramref name="spill"/>.</summary>
    public long BytesIn(HeadsSpill spill) => _blocks.Where(b => b.Spill == spill).Sum(b => HeadsSpill.BytesOf(b.Count));

    public IEnumerator<ShardHead> GetEnumerator()
    {
        foreach (var block in _blocks)
            foreach (var head in block.Heads())
                yield return head;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static ShardHead[] MergeSorted(ShardHead[] old, ReadOnlySpan<ShardHead> added)
    {
        var merged = new List<ShardHead>(old.Length + added.Length);
        int i = 0, j = 0;
        while (i < old.Length || j < added.Length)
        {
            if (j == added.Length || (i < old.Length && old[i].Index < added[j].Index)) merged.Add(old[i++]);
            else if (i == old.Length || added[j].Index < old[i].Index) merged.Add(added[j++]);
            else { merged.Add(added[j++]); i++; }   // the same shard: the change is newer
        }
        return merged.ToArray();
    }
}
