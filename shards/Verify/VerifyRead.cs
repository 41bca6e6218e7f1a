namespace SSeg.Shards;

/// <summary>What one <see cref="DatasetVerifier.VerifyAsync(Dataset,bool,IProgress{ShardCheck}?,CancellationToken)"/> held; for tests and benchmarks of its memory.</summary>
internal sealed class VerifyRead
{
    /// <summary>
    /// The most whole shard entries held at once by any of verify's passes: a block's commit objects with the checkpoint
    /// segment compared to them, the streamed block of shards being checked, or the block of entries the orphan pass
    /// compares listed files with.
    /// </summary>
    public int MaxEntriesHeld { get; private set; }

    /// <summary>Blocks whose commit objects were read and compared with the checkpoints.</summary>
    public int LogBlocksChecked { get; set; }

    public void Holding(int entries) => MaxEntriesHeld = Math.Max(MaxEntriesHeld, entries);
}
