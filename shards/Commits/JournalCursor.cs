namespace SSeg.Shards.Commits;

/// <summary>
/// How far a reader has read each journal log (<see cref="CommitKeys.JournalLogPath"/>: a minute's, or a later part of
/// one), by the log's name: the byte offset just after the last whole record it took. A poll reads only the logs whose length passed their offset, from there. It
/// holds the logs of the last listing only (about an hour of minutes, <see cref="CommitJournal.Retention"/>).
/// </summary>
internal sealed class JournalCursor
{
    private Dictionary<string, long> _offsets = new(StringComparer.Ordinal);

    /// <summary>Where reading <paramref name="log"/> goes on from (0 for a log not read yet).</summary>
    public long OffsetOf(string log) => _offsets.GetValueOrDefault(log);

    /// <summary>Replaces every offset with <paramref name="offsets"/> (those of the logs just listed; trimmed ones drop out).</summary>
    public void Replace(Dictionary<string, long> offsets) => _offsets = offsets;

    /// <summary>Forgets every offset, as a new reader starts.</summary>
    public void Clear() => _offsets = new(StringComparer.Ordinal);
}
