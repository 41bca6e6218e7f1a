using SSeg.Shards.Commits;

namespace SSeg.Shards;

/// <summary>
/// Groups the shard-named objects of a key-ordered storage listing (commit objects <c>kind/part-00042.v000001.json</c>,
/// shard files <c>kind/part-00042.parquet</c> and their sidecars) by block (<see cref="CheckpointSegment.BlockSize"/>
/// shards of one kind), so a pass over a whole listing holds one block's names and entries at a time.
/// </summary>
/// <remarks>
/// Listings sort names as strings, not by shard index: with five-digit padding, <c>part-100005</c> sorts between
/// <c>part-10000</c> and <c>part-10001</c>, so a block of six-digit indices is interleaved with one of five. Every name
/// of a block starts with the same string, the name up to its index's last three digits (<c>images/part-10</c> for
/// shards 10,000-10,999), and in a sorted listing all names with one start are consecutive. So a block is complete
/// at the first name that does not start with its string. The blocks open at once are those whose string starts the
/// current name: at most one per length of index (a handful), whatever the dataset's size.
/// </remarks>
internal sealed class ShardBlockGroups<T>
{
    /// <summary>One block's listed items, in listing order.</summary>
    public sealed record Group(string Kind, int Block, List<T> Items);

    private readonly List<(string Start, Group Group)> _open = [];
    // Blocks already completed: met again, the listing was not in key order and a block's check would be split.
    private readonly HashSet<(string Kind, int Block)> _done = [];

    /// <summary>
    /// Adds the item listed under <paramref name="name"/> (a path whose last segment starts with the canonical
    /// <see cref="ShardNames.PartName"/> of <paramref name="index"/>) and returns the blocks this name completes.
    /// </summary>
    public List<Group> Add(string name, string kind, int index, T item)
    {
        var completed = new List<Group>();
        for (var i = _open.Count - 1; i >= 0; i--)
            if (!name.StartsWith(_open[i].Start, StringComparison.Ordinal))
            {
                completed.Add(_open[i].Group);
                _open.RemoveAt(i);
            }
        var start = name[..(name.LastIndexOf('/') + 1 + ShardNames.PartName(index).Length - 3)];
        var at = _open.FindIndex(o => o.Start == start);
        if (at < 0)
        {
            var block = CheckpointSegment.BlockOf(index);
            if (!_done.Add((kind, block)))
                throw new InvalidOperationException($"The storage listing is not in key order: {kind} shards of block {block} came again at {name}.");
            _open.Add((start, new Group(kind, block, [])));
            at = _open.Count - 1;
        }
        _open[at].Group.Items.Add(item);
        return completed;
    }

    /// <summary>The blocks still open at the end of the listing.</summary>
    public List<Group> Complete()
    {
        var completed = _open.Select(o => o.Group).ToList();
        _open.Clear();
        return completed;
    }
}
