namespace SSeg.Shards.Commits;

/// <summary>The dataset's sweep, and the journal reads it shares with every read.</summary>
internal sealed partial class CommitLogReader
{
    /// <summary>
    /// The dataset's sweep (claimed, or for this reader alone on a root it cannot write): lists every commit object
    /// name and fetches what this reader does not cover. Of those, the ones the journal still does not name when read
    /// again afterwards (commits made while the sweep listed have their lines by then) had no line: they are filed again
    /// when the sweep was claimed, and said once on stderr. Returns the lines filed.
    /// </summary>
    private async Task<int> SweepAsync(Dataset dataset, string incarnation, SweepClaim claim, DateTimeOffset now, ReadCost cost, CancellationToken ct)
    {
        var (missed, startedOver) = await ListEverythingAsync(dataset, incarnation, cost, ct);
        var found = new List<ShardEntry>();
        await FetchAsync(dataset, incarnation, missed, journalFrom: null, now, cost, found, ct);
        // After starting over everything is "missed", whatever the journal says.
        if (startedOver || found.Count == 0) return 0;

        var named = (await ReadJournalAsync(dataset, incarnation, readFrom: null, cost, ct)).CommitPaths;
        var namedSet = named.ToHashSet(StringComparer.Ordinal);
        // A line read before its object existed (by an earlier read, or by this one before it listed) names it as well.
        var unnamed = found.Select(e => (Entry: e, Path: CommitKeys.CommitPath(incarnation, e.Kind, e.Index, e.Version)))
            .Where(f => !namedSet.Contains(f.Path) && !IsAwaited(f.Path) && !cost.Missing.Contains(f.Path)).Select(f => f.Entry).ToList();
        // The cursor has moved past those lines: take the commits they name that the listing was too early for.
        named.RemoveAll(IsCovered);
        await FetchAsync(dataset, incarnation, named, now - CommitJournal.LookBack, now, cost, null, ct);
        if (unnamed.Count == 0) return 0;

        var repaired = claim == SweepClaim.Claimed ? await CommitJournal.RepairAsync(dataset, incarnation, unnamed, ct) : 0;
        JournalWarnings.Once(dataset, JournalWarnings.SweepFoundUnnamed,
            $"the sweep of {dataset.Storage.RootUri}/{dataset.Prefix} found {unnamed.Count} committed shard(s) that its journal did not name " +
            $"({unnamed[0].Kind} shard {unnamed[0].Index} version {unnamed[0].Version} among them), so readers saw them up to " +
            $"{CommitJournal.SweepEvery.TotalMinutes:F0} minutes late; it filed {repaired} journal line(s) again. Their writers run a build " +
            "that files the line after the commit or none at all, appended over NFS (whose appends are not atomic), or could not file " +
            "the line again after a slow commit (see the writers' warnings). " +
            "Further such findings in this process are not reported.");
        return repaired;
    }

    /// <summary>Reads the journal past this reader's cursor (<see cref="CommitJournal.ReadAsync"/>) and adds what it cost.</summary>
    private async Task<JournalRead> ReadJournalAsync(Dataset dataset, string incarnation, DateTimeOffset? readFrom, ReadCost cost, CancellationToken ct)
    {
        var read = await CommitJournal.ReadAsync(dataset, incarnation, _journal, readFrom, ct);
        cost.Names += read.NamesListed;
        cost.ListCalls += read.ListCalls;
        cost.LogsRead += read.LogsRead;
        cost.JournalBytes += read.BytesRead;
        return read;
    }
}
