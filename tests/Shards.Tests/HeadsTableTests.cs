using SSeg.Shards.Commits;
using SSeg.Tests.Common;

namespace SSeg.Shards.Tests;

/// <summary>
/// The block table a reader keeps its heads in (<see cref="HeadsTable"/>), checked against a sorted dictionary through
/// random merges, spills to a real local file, and moves to a new file: every position, find and block agrees, and a
/// table handed out earlier never changes.
/// </summary>
public sealed class HeadsTableTests : IDisposable
{
    private readonly string _folder = RepoPaths.NewTempDir("sseg-heads-table");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static ShardHead Head(int index, int version) => new(index, version, 10L * index + version, 1000L + index, version % 3);

    private static void AssertSame(SortedDictionary<int, ShardHead> expected, HeadsTable table)
    {
        Assert.Equal(expected.Values, table);
        Assert.Equal(expected.Count, table.Count);
        var positions = expected.Values.ToList();
        for (var p = 0; p < positions.Count; p += 7) Assert.Equal(positions[p], table[p]);
        if (positions.Count > 0) Assert.Equal(positions[^1], table[positions.Count - 1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => table[positions.Count]);
        Assert.Equal(expected.Values.Select(h => CheckpointSegment.BlockOf(h.Index)).Distinct(), table.Blocks.Select(b => b.Block));
        Assert.Equal(expected.Count == 0 ? (int?)null : expected.Keys.Max(), table.LastIndex);
        foreach (var index in new[] { 0, 1, 999, 1000, 2500, 4999, 5000, 7777 })
            Assert.Equal(expected.TryGetValue(index, out var head) ? head : null, table.Find(index));
    }

    [Fact]
    public void Random_merges_and_spills_agree_with_a_sorted_dictionary_and_earlier_tables_never_change()
    {
        var random = new Random(18);
        var expected = new SortedDictionary<int, ShardHead>();
        var table = HeadsTable.Empty;
        var spill = HeadsSpill.Create(_folder);
        var handedOut = new List<(HeadsTable Table, List<ShardHead> Heads)>();
        for (var round = 0; round < 40; round++)
        {
            // New shards and new versions of known ones, clustered as commits are (a run's shards are consecutive).
            var changes = new SortedDictionary<int, ShardHead>();
            var from = random.Next(0, 6000);
            for (var n = random.Next(1, 400); n > 0; n--)
            {
                var index = random.Next(2) == 0 ? from + random.Next(0, 1500) : random.Next(0, 8000);
                changes[index] = Head(index, (expected.TryGetValue(index, out var old) ? old.Version : 0) + 1);
            }
            table = table.Merge(changes.Values.ToArray());
            foreach (var (index, head) in changes) expected[index] = head;
            if (round % 3 == 2) table = table.SpilledTo(spill);
            if (round % 10 == 9) table = table.SpilledTo(spill = HeadsSpill.Create(_folder), all: true);   // a move to a new file
            AssertSame(expected, table);
            handedOut.Add((table, expected.Values.ToList()));
        }
        Assert.True(table.SpilledBytes > 0 && table.HeldBytes + table.SpilledBytes == 32L * expected.Count);
        foreach (var (earlier, heads) in handedOut) Assert.Equal(heads, earlier);
    }

    [Fact]
    public void A_spilled_table_holds_no_heads_in_memory_and_its_file_is_gone_from_the_folder_at_once()
    {
        var spill = HeadsSpill.Create(_folder);
        var table = HeadsTable.Of(Enumerable.Range(0, 2500).Select(i => Head(i * 2, 1))).SpilledTo(spill);
        Assert.Equal((0L, 5000L * 32 / 2), (table.HeldBytes, table.SpilledBytes));
        Assert.Equal(80_000, spill.Length);
        Assert.Equal(Head(4998, 1), table.Find(4998));
        Assert.Null(table.Find(4997));
        if (!OperatingSystem.IsWindows()) Assert.Empty(Directory.GetFiles(_folder));   // unlinked: nothing to clean up after a kill
        // Spilled again, blocks already in the file are not written twice.
        Assert.Same(table, table.SpilledTo(spill));
        Assert.Equal(80_000, spill.Length);
    }

    [Fact]
    public void Heads_not_sorted_by_index_or_repeated_are_refused_by_name()
    {
        var e = Assert.Throws<ArgumentException>(() => HeadsTable.Of([Head(5, 1), Head(3, 1)]));
        Assert.Contains("shard 3 follows 5", e.Message);
        Assert.Throws<ArgumentException>(() => HeadsTable.Of([Head(5, 1), Head(5, 2)]));
        Assert.Throws<ArgumentException>(() => HeadsTable.Of([Head(1500, 1), Head(20, 1)]));   // across blocks too
    }

    [Fact]
    public void A_spill_folder_that_cannot_be_made_is_named_in_the_error()
    {
        var file = Path.Combine(_folder, "a-file");
        File.WriteAllText(file, "");
        var e = Assert.Throws<IOException>(() => HeadsSpill.Create(Path.Combine(file, "spill")));
        Assert.Contains(Path.Combine(file, "spill"), e.Message);
    }
}
