namespace SSeg.Shards.Commits;

/// <summary>The reader's heads beyond what it holds in memory: spilled to a local file (<see cref="HeadsSpill"/>).</summary>
internal sealed partial class CommitLogReader
{
    /// <summary>
    /// Heads a reader holds in memory before it spills them: 1 MiB, the heads of 32,768 shards. Past it, a dataset's
    /// reader holds a few dozen bytes per 1,000 shards; a spilled block is read back (32 KB) when a pass needs it.
    /// </summary>
    public const long HeadsHeldDefault = 1L << 20;

    private HeadsSpill? _spill;
    private bool _spillRefused;

    /// <summary>Most bytes of heads held in memory after a merge: <see cref="HeadsHeldDefault"/>, lower in tests of spilling.</summary>
    internal long HeadsHeldLimit { get; set; } = HeadsHeldDefault;

    /// <summary>Spill file bytes of replaced blocks tolerated beyond twice the live ones before the live ones move to a new file; lower in tests.</summary>
    internal long SpillSlack { get; set; } = 16L << 20;

    /// <summary>Where this reader makes its spill file; tests point it at a folder that cannot be made.</summary>
    internal string SpillFolder { get; set; } = HeadsSpill.Folder;

    /// <summary>The spill file this reader writes now, or null before it first spills.</summary>
    internal HeadsSpill? Spill => _spill;

    /// <summary>
    /// Writes the blocks held in memory to the spill file once they pass <see cref="HeadsHeldLimit"/>. The file is
    /// append-only, so blocks that changed since they were spilled leave dead bytes behind; once those outgrow the
    /// live ones, every block moves to a new file and the old one goes with the last snapshot that uses it. Where no
    /// spill file can be made or written (a read-only or full temporary folder), the heads stay in memory, as a
    /// warning says once.
    /// </summary>
    private void SpillIfOver(Dataset dataset)
    {
        var held = _heads.Values.Sum(t => t.HeldBytes);
        if (held <= HeadsHeldLimit || _spillRefused) return;
        try
        {
            var live = _spill is null ? 0 : _heads.Values.Sum(t => t.BytesIn(_spill));
            var compact = _spill is not null && _spill.Length > 2 * (live + held) + SpillSlack;
            if (_spill is null || compact) _spill = HeadsSpill.Create(SpillFolder);
            foreach (var kind in _heads.Keys.ToList()) _heads[kind] = _heads[kind].SpilledTo(_spill, all: compact);
        }
        catch (IOException e)
        {
            _spillRefused = true;
            JournalWarnings.Once(dataset, JournalWarnings.SpillRefused,
                $"dataset {dataset.Name} under {dataset.Storage.RootUri}: its shard heads stay in memory (32 bytes a shard), as they cannot be spilled: {e.Message}");
        }
    }
}
