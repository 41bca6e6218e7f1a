namespace SSeg.Shards.Commits;

/// <summary>
/// How far a reader has read each minute's journal log (<see cref="CommitKeys.JournalLogPath"/>): the byte offset just
/// after the last whole record it took. A poll reads only the logs whose length passed their offset, from there. It
/// holds the logs of the last listing only (about an hour of minutes, <see cref="CommitJournal.Retention"/>).
/// </summary>
internal sealed class JournalCursor
{
    private Dictionary<string, long> _offsets = new(StringComparer.Ordinal);

    /// <summary>Where reading the log of <paramref name="bucket"/> goes on from (0 for a log not read yet).</summary>
    public long OffsetOf(string bucket) => _offsets.GetValueOrDefault(bucket);

    /// <summary>Replaces every offset with <paramref name="offsets"/> (those of the logs just listed; trimmed ones drop out).</summary>
    public void Replace(Dictionary<string, long> offsets) => _offsets = offsets;

    /// <summary>Forgets every offset, as a new reader starts.</summary>
    public void Clear() => _offsets = new(StringComparer.Ordinal);
}
