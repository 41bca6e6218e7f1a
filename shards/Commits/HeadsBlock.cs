namespace SSeg.Shards.Commits;

/// <summary>
/// The heads of one block (<see cref="CheckpointSegment.BlockSize"/> shard indexes) of one kind, by index: held in
/// memory, or written to a <see cref="HeadsSpill"/> and read back when asked for. Immutable: a change makes a new block.
/// </summary>
internal sealed class HeadsBlock
{
    private readonly ShardHead[]? _held;
    private readonly HeadsSpill? _spill;
    private readonly long _offset;
    /// <summary>The spilled heads last read back, kept until the collector wants the memory: a pass over the block reads it once.</summary>
    private readonly WeakReference<ShardHead[]?>? _recent;

    private HeadsBlock(int block, int count, int lastIndex, ShardHead[]? held, HeadsSpill? spill, long offset)
    {
        Block = block;
        Count = count;
        LastIndex = lastIndex;
        _held = held;
        _spill = spill;
        _offset = offset;
        if (spill is not null) _recent = new WeakReference<ShardHead[]?>(null);
    }

    /// <summary>A block held in memory; <paramref name="heads"/> (all of one block, by index, not empty) is not copied.</summary>
    public static HeadsBlock Held(ShardHead[] heads) => new(CheckpointSegment.BlockOf(heads[0].Index), heads.Length, heads[^1].Index, heads, null, 0);

    public int Block { get; }
    public int Count { get; }
    /// <summary>The highest shard index in the block, known without reading a spilled block back.</summary>
    public int LastIndex { get; }
    /// <summary>The spill file holding this block, or null when it is held in memory.</summary>
    public HeadsSpill? Spill => _spill;
    /// <summary>Bytes of heads this block keeps in memory (0 once spilled).</summary>
    public long HeldBytes => _held is null ? 0 : HeadsSpill.BytesOf(Count);

    /// <summary>The block's heads, by index; read back from the spill file when spilled. Callers must not change the array.</summary>
    public ShardHead[] Heads()
    {
        if (_held is not null) return _held;
        if (_recent!.TryGetTarget(out var recent) && recent is not null) return recent;
        var heads = _spill!.Read(_offset, Count);
        _recent.SetTarget(heads);
        return heads;
    }

    /// <summary>This block written to <paramref name="spill"/>; itself when it is there already.</summary>
    public HeadsBlock SpilledTo(HeadsSpill spill) =>
        _spill == spill ? this : new HeadsBlock(Block, Count, LastIndex, null, spill, spill.Append(Heads()));

    /// <summary>Position of <paramref name="index"/> in <paramref name="heads"/> (sorted by index), or its bitwise complement where it would go.</summary>
    public static int BinarySearch(ReadOnlySpan<ShardHead> heads, int index)
    {
        int lo = 0, hi = heads.Length - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var at = heads[mid].Index;
            if (at == index) return mid;
            if (at < index) lo = mid + 1;
            else hi = mid - 1;
        }
        return ~lo;
    }
}
