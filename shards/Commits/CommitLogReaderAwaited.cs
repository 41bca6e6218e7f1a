namespace SSeg.Shards.Commits;

/// <summary>
/// Journal lines read before their commit objects existed: a writer files the line first, so a reader can meet it
/// while the writer is still creating the object, or after the writer died between the two. Each read probes them
/// again, for <see cref="CommitJournal.AwaitFor"/>.
/// </summary>
internal sealed partial class CommitLogReader
{
    /// <summary>Commit object paths named by lines whose objects were not there, and when this reader first missed each.</summary>
    private readonly Dictionary<string, DateTimeOffset> _awaited = new(StringComparer.Ordinal);

    /// <summary>Adds to <paramref name="probes"/> the awaited paths not covered since and not in it already.</summary>
    private void AddAwaited(List<string> probes)
    {
        if (_awaited.Count == 0) return;
        var named = probes.ToHashSet(StringComparer.Ordinal);
        foreach (var path in _awaited.Keys)
            if (!IsCovered(path) && named.Add(path)) probes.Add(path);
    }

    /// <summary>
    /// After a read's fetches: paths it did not find start waiting (or go on waiting); found ones are dropped, and so
    /// are those missed for <see cref="CommitJournal.AwaitFor"/> (their writers would have filed them again).
    /// </summary>
    private void UpdateAwaited(IReadOnlyCollection<string> missing, DateTimeOffset now)
    {
        foreach (var path in missing)
            if (!_awaited.TryGetValue(path, out var since) || now < since) _awaited[path] = now;   // a clock set back restarts the wait
        foreach (var (path, since) in _awaited.ToList())
            if (IsCovered(path) || now - since >= CommitJournal.AwaitFor) _awaited.Remove(path);
    }

    /// <summary>True when <paramref name="commitPath"/> is named by a line this reader read and still waits for.</summary>
    private bool IsAwaited(string commitPath) => _awaited.ContainsKey(commitPath);
}
