namespace SSeg.Shards.Commits;

/// <summary>
/// The readers a process keeps, one per dataset and storage root (<see cref="CommitLogReader.For"/>): the most recently
/// used ones, at most <paramref name="maxReaders"/> of them and no more than <paramref name="headsBudgetBytes"/> of
/// heads in all beyond the reader just asked for. A long-lived host that browses many large datasets therefore holds
/// the heads of the recent ones only; a reader dropped here is read afresh, from the newest checkpoint, when next asked
/// for (a user still holding it finishes with it).
/// </summary>
internal sealed class CommitLogReaderCache(int maxReaders, long headsBudgetBytes)
{
    private readonly object _lock = new();
    private readonly Dictionary<string, (CommitLogReader Reader, long LastUsed)> _readers = new(StringComparer.Ordinal);
    private long _uses;

    /// <summary>The reader kept under <paramref name="key"/> (a new one when none is), now the most recently used.</summary>
    public CommitLogReader For(string key)
    {
        lock (_lock)
        {
            var reader = _readers.TryGetValue(key, out var kept) ? kept.Reader : new CommitLogReader();
            _readers[key] = (reader, ++_uses);
            Evict(keep: key);
            return reader;
        }
    }

    /// <summary>Drops the reader kept under <paramref name="key"/>.</summary>
    public void Forget(string key)
    {
        lock (_lock) _readers.Remove(key);
    }

    /// <summary>Readers kept now.</summary>
    public int Count
    {
        get { lock (_lock) return _readers.Count; }
    }

    /// <summary>Heads held by the readers kept now, as of their last reads.</summary>
    public long HeadsBytes
    {
        get { lock (_lock) return _readers.Values.Sum(r => r.Reader.HeadsBytes); }
    }

    private void Evict(string keep)
    {
        var heads = _readers.Where(r => r.Key != keep).Sum(r => r.Value.Reader.HeadsBytes);
        while (_readers.Count > maxReaders || heads > headsBudgetBytes)
        {
            var oldest = _readers.Where(r => r.Key != keep).MinBy(r => r.Value.LastUsed);
            if (oldest.Key is null) return;
            heads -= oldest.Value.Reader.HeadsBytes;
            _readers.Remove(oldest.Key);
        }
    }
}
