namespace SSeg.Shards.Commits;

/// <summary>The dataset's sweep, and the journal reads it shares with every read.</summary>
internal sealed partial class CommitLogReader
{
    /// <summary>The slice this reader last swept for itself, on a root where it cannot claim steps (read-only).</summary>
    private string? _ownSweepSlice;

    /// <summary>Commit objects up to which this reader sweeps every name at once: <see cref="SweepSlices.WholeUpTo"/>, lower in tests.</summary>
    internal long SweepWholeUpTo { get; set; } = SweepSlices.WholeUpTo;

    /// <summary>
    /// How often this reader asks whether a sweep is due: <see cref="CommitJournal.SweepEvery"/> for a whole sweep; for a
    /// sweep by slices, that period spread over the slices this reader expects, at least <see cref="CommitJournal.SweepStepAtLeast"/>.
    /// </summary>
    private TimeSpan SweepCheckEvery()
    {
        var slices = SweepSlices.CountOf(_heads.Keys.Select(HighestIndex), _listed, SweepWholeUpTo);
        return slices == 1 ? CommitJournal.SweepEvery : TimeSpan.FromTicks(Math.Max(CommitJournal.SweepStepAtLeast.Ticks, CommitJournal.SweepEvery.Ticks / slices));
    }

    /// <summary>The highest shard index of <paramref name="kind"/> this reader knows, or null.</summary>
    private int? HighestIndex(string kind) => _heads.GetValueOrDefault(kind)?.LastIndex;

    /// <summary>
    /// Claims the dataset's sweep if due: the whole of it (<see cref="CommitJournal.TryClaimSweepAsync"/>) for a dataset of
    /// at most <see cref="SweepWholeUpTo"/> commit objects, else its next slice (<see cref="CommitJournal.TryClaimSweepStepAsync"/>).
    /// A reader that cannot claim (a read-only root) takes its own next slice.
    /// </summary>
    private async Task<(SweepClaim Claim, string Slice)> ClaimSweepAsync(Dataset dataset, string incarnation, DateTimeOffset now, ReadCost cost, CancellationToken ct)
    {
        if (_listed <= SweepWholeUpTo) return (await CommitJournal.TryClaimSweepAsync(dataset, incarnation, now, ct), SweepSlices.Whole);
        List<string>? slices = null;
        async Task<List<string>> SlicesAsync() =>
            slices ??= SweepSlices.Of(await ListKindsAsync(dataset, incarnation, cost, ct), HighestIndex, _listed, SweepWholeUpTo);
        var (claim, slice) = await CommitJournal.TryClaimSweepStepAsync(dataset, incarnation, now, SweepCheckEvery(),
            async last => SweepSlices.After(await SlicesAsync(), last), ct);
        if (claim == SweepClaim.Unwritable) slice = _ownSweepSlice = SweepSlices.After(await SlicesAsync(), _ownSweepSlice);
        return (claim, slice);
    }

    /// <summary>The kinds that have commit objects (images, and masks/&lt;generator&gt; for each generator), from the folders' names.</summary>
    private static async Task<List<string>> ListKindsAsync(Dataset dataset, string incarnation, ReadCost cost, CancellationToken ct)
    {
        var folder = dataset.KeyOf(CommitKeys.CommitsFolderOf(incarnation));
        var kinds = new List<string>();
        cost.ListCalls++;
        foreach (var name in await dataset.Storage.ListFoldersAsync(folder, ct))
        {
            // A mask kind is two levels deep (masks/<generator>); its first level is no kind of its own.
            if (ShardNames.GeneratorOfMasksKind(name + "/") is null) { kinds.Add(name); continue; }
            cost.ListCalls++;
            kinds.AddRange((await dataset.Storage.ListFoldersAsync($"{folder}/{name}", ct)).Select(generator => $"{name}/{generator}"));
        }
        return kinds;
    }

    /// <summary>
    /// The dataset's sweep, or one slice of it (claimed, or for this reader alone on a root it cannot write): lists the
    /// commit object names and fetches what this reader does not cover. Of those, the ones the journal still does not
    /// name when read again afterwards (commits made while the sweep listed have their lines by then) had no line: they
    /// are filed again when the sweep was claimed, and said once on stderr. Returns the lines filed.
    /// </summary>
    private async Task<int> SweepAsync(Dataset dataset, string incarnation, SweepClaim claim, string slice, DateTimeOffset now, ReadCost cost, CancellationToken ct)
    {
        List<string> missed;
        var startedOver = false;
        if (slice == SweepSlices.Whole) (missed, startedOver) = await ListEverythingAsync(dataset, incarnation, cost, ct);
        else
        {
            long listed;
            (listed, missed) = await ListUncoveredAsync(dataset, incarnation, slice, ct);
            AddListing(dataset, listed, cost);
            // Objects no read counted yet: a checkpoint written while they are fetched is named after them too.
            _listed += missed.Count;
        }
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
            $"({unnamed[0].Kind} shard {unnamed[0].Index} version {unnamed[0].Version} among them), so readers saw them only at the sweep " +
            $"(a pass every {CommitJournal.SweepEvery.TotalMinutes:F0} minutes or so); it filed {repaired} journal line(s) again. Their writers run a build " +
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
