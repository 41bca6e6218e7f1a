using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace SSeg.Shards.Commits;

/// <summary>What one <see cref="CommitLogReader.ReadAsync"/> saw: the head of every committed shard, by kind and index.</summary>
internal sealed record CommitLogSnapshot(
    IReadOnlyDictionary<string, HeadsTable> Heads,
    IReadOnlyDictionary<string, MaskGeneratorInfo> Generators,
    DateTimeOffset LatestCommitUtc);

/// <summary>
/// Reads the committed shards of one dataset. The first read in a process loads the newest checkpoint, reads the
/// journal's logs from the minute the checkpoint records (or, without one it can use, every commit object name) and fetches
/// only the objects the checkpoint does not cover. Later reads (a barrier poll, a dashboard refresh) read only what the
/// journal's minute logs gained since the previous read (<see cref="CommitJournal"/>) and fetch the commit objects named
/// there that this reader does not know at that version, so a read costs what changed, not the dataset's size. Every
/// <see cref="CommitJournal.SweepEvery"/> one reader of the dataset (the first to claim it) also lists every name and
/// files the journal entries it finds missing; a large dataset's sweep goes a slice a read (<see cref="SweepSlices"/>).
/// One reader per dataset and storage root lives for the process, while it is among the recently used
/// (<see cref="CommitLogReaderCache"/>).
/// <para>
/// It keeps a <see cref="ShardHead"/> per shard (32 bytes), not the shard's entry, in blocks of which those past
/// <see cref="HeadsHeldLimit"/> go to a local spill file (<see cref="HeadsSpill"/>): whole entries are kept only for
/// shards newer than their block's stored segment, until the next checkpoint stores them (at most
/// <see cref="UnstoredKept"/>). After <see cref="CheckpointEvery"/> fetched objects (or a tenth of the log, at least
/// 100) it writes a new checkpoint, so a fresh process starts from a snapshot instead of fetching every commit object.
/// Whole entries are read back block by block (<see cref="ReadBlockAsync(Dataset,string,string,ReadOnlyMemory{ShardHead},CommitStreamRead?,CancellationToken)"/>):
/// the block's segment, the entries not stored yet, and the commit objects of any others.
/// </para>
/// </summary>
internal sealed partial class CommitLogReader
{
    /// <summary>Commit objects fetched since the last checkpoint after which a reader writes a new one.</summary>
    public const int CheckpointEvery = 1000;
    /// <summary>
    /// Most whole entries kept for a checkpoint that could not be written (a read-only root): past it they are dropped
    /// and read back from their commit objects when needed, so a reader that never checkpoints still holds heads only.
    /// </summary>
    public const int UnstoredKept = 10 * CheckpointEvery;
    /// <summary>Commit objects fetched before their heads are merged and a checkpoint is considered: bounds what a first read of a large log holds.</summary>
    private const int FetchChunk = 10 * CheckpointEvery;
    /// <summary>Fewest fetched objects worth a checkpoint.</summary>
    private const int MinCheckpointFetches = 100;
    /// <summary>
    /// How long a segment this reader loaded or wrote is trusted to still exist when a new checkpoint refers to it
    /// unchanged; older ones are checked first, as another writer's checkpoints may have replaced and deleted it.
    /// </summary>
    private static readonly TimeSpan SegmentTrusted = TimeSpan.FromMinutes(10);
    /// <summary>Readers a process keeps at most (<see cref="CommitLogReaderCache"/>).</summary>
    private const int MaxCachedReaders = 64;
    /// <summary>Heads the kept readers hold at most besides the one in use: 256 MiB, the heads of 8 million shards.</summary>
    private const long CachedHeadsBudget = 256L << 20;
    private static readonly CommitLogReaderCache Readers = new(MaxCachedReaders, CachedHeadsBudget);

    private readonly SemaphoreSlim _gate = new(1, 1);
    /// <summary>Per kind, the head of every shard by index. Tables are immutable: snapshots share them.</summary>
    private readonly Dictionary<string, HeadsTable> _heads = new(StringComparer.Ordinal);
    /// <summary>Heads applied since the last merge into <see cref="_heads"/>, per kind.</summary>
    private readonly Dictionary<string, Dictionary<int, ShardHead>> _changes = new(StringComparer.Ordinal);
    /// <summary>Whole entries of shards newer than their block's stored segment, for the next checkpoint.</summary>
    private readonly Dictionary<(string Kind, int Index), ShardEntry> _unstored = new();
    private readonly Dictionary<string, MaskGeneratorInfo> _generators = new(StringComparer.Ordinal);
    /// <summary>The stored segment of each block this reader's heads match, and when it was last known to exist.</summary>
    private readonly Dictionary<(string Kind, int Block), (CheckpointSegmentRef Ref, DateTimeOffset Seen)> _segments = new();
    /// <summary>Blocks whose heads changed since their stored segment (all of them when there is none).</summary>
    private readonly HashSet<(string Kind, int Block)> _dirty = new();
    /// <summary>How far this reader has read each minute's journal log.</summary>
    private readonly JournalCursor _journal = new();
    private string? _incarnation;
    private bool _checkpointTried;
    /// <summary>Commit objects as far as this reader knows (checkpoint names carry it), and as its last listing of every name counted.</summary>
    private long _listed, _fullyListed;
    private int _fetchedSinceCheckpoint;
    private int _segmentsLoaded, _headsLoaded;
    private DateTimeOffset _latestCommitUtc = DateTimeOffset.MinValue;
    /// <summary>Reader clock when the previous read started, and when it last listed everything or asked whether the dataset's sweep was due (null: not yet).</summary>
    private DateTimeOffset? _lastRead, _lastSweepCheck;

    /// <summary>The process-wide reader of <paramref name="dataset"/>.</summary>
    public static CommitLogReader For(Dataset dataset) => Readers.For(KeyOf(dataset));

    /// <summary>Drops the reader of <paramref name="dataset"/>, as a new process would start (tests of checkpoints and of the journal).</summary>
    internal static void Forget(Dataset dataset) => Readers.Forget(KeyOf(dataset));

    private static string KeyOf(Dataset dataset) => dataset.Storage.RootUri + "\n" + dataset.Prefix;

    /// <summary>What the last <see cref="ReadAsync"/> cost.</summary>
    public CommitLogRead? LastRead { get; private set; }

    /// <summary>Bytes of heads this reader held in memory after its last read: 32 a shard up to <see cref="HeadsHeldLimit"/>, the rest spilled.</summary>
    public long HeadsBytes => Interlocked.Read(ref _headsBytes);
    private long _headsBytes;

    /// <summary>Bytes of heads this reader had in its spill file after its last read.</summary>
    public long HeadsSpilledBytes => Interlocked.Read(ref _headsSpilledBytes);
    private long _headsSpilledBytes;

    /// <summary>Most whole entries kept while checkpoints fail: <see cref="UnstoredKept"/>, lower only in tests of that bound.</summary>
    internal int UnstoredLimit { get; set; } = UnstoredKept;

    /// <summary>Most commit object names the last read held to fetch at once; for tests of its memory.</summary>
    internal int NamesPendingMost { get; private set; }

    /// <summary>Whole entries this reader holds now (those not stored in a segment yet); for tests and benchmarks of its memory.</summary>
    internal int EntriesHeld => _unstored.Count;

    /// <summary>The head of every committed shard and the generators of committed mask shards.</summary>
    public async Task<CommitLogSnapshot> ReadAsync(Dataset dataset, string incarnation, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var clock = Stopwatch.StartNew();
            // Taken before listing: a commit filed while the listing runs is within the next read's look-back.
            var now = dataset.Clock.GetUtcNow();
            if (_incarnation != incarnation) Reset(incarnation);   // a deleted and recreated dataset
            _segmentsLoaded = _headsLoaded = 0;
            NamesPendingMost = 0;
            var first = !_checkpointTried;
            var checkpoint = first ? await TryLoadCheckpointAsync(dataset, incarnation, now, ct) : null;
            _checkpointTried = true;
            var cost = new ReadCost();

            // A first read reads the journal logs from its checkpoint's minute, a later one what the logs gained since the
            // previous read; `from` is where that span starts, which a trim must not have passed. A clock that went
            // backwards (corrected by NTP) leaves no sound span: the read lists every name.
            var from = first ? checkpoint?.JournalFrom : now < _lastRead ? null : _lastRead - CommitJournal.LookBack;
            var journalSpan = from is { } start && start <= now + CommitJournal.ClockSkew;
            var (pending, spanSound) = journalSpan
                ? await TryReadJournalAsync(dataset, incarnation, first ? from : null, from!.Value, now, cost, ct) : (null, false);
            var startedFromJournal = first && spanSound;
            var full = !spanSound;
            if (full)
            {
                // Listing every name: first read the logs of the last LookBack and set where each older log ends now
                // (unless the span just read did). What is appended later is the next poll's; a line there already
                // names an object the listing finds, or one its writer has yet to create, which is probed after the
                // listing and awaited if still missing.
                var recent = pending ?? (await ReadJournalAsync(dataset, incarnation, now - CommitJournal.LookBack, cost, ct)).CommitPaths;
                if (_fullyListed == 0) await ListAndFetchEverythingAsync(dataset, incarnation, now, cost, ct);
                else await FetchAsync(dataset, incarnation, (await ListEverythingAsync(dataset, incarnation, cost, ct)).Pending, null, now, cost, null, ct);
                recent.RemoveAll(IsCovered);
                AddAwaited(recent);
                if (recent.Count > 0) await FetchAsync(dataset, incarnation, recent, now - CommitJournal.LookBack, now, cost, null, ct);
            }
            else
            {
                AddAwaited(pending!);
                await FetchAsync(dataset, incarnation, pending!, from, now, cost, null, ct);
            }

            // The sweep: what a listing of every name finds beyond what the journal named is a commit whose entry is
            // missing; one reader per dataset looks every SweepEvery and files those entries again for the others.
            // A large dataset is swept by slices, one per step, so that this read lists one slice at most.
            string? sweptSlice = null;
            var repaired = 0;
            if (full) _lastSweepCheck = now;
            else if (_lastSweepCheck is not { } checkedAt || now - checkedAt >= SweepCheckEvery() || now < checkedAt)
            {
                _lastSweepCheck = now;
                var (claim, slice) = await ClaimSweepAsync(dataset, incarnation, now, cost, ct);
                if (claim != SweepClaim.NotDue)
                {
                    sweptSlice = slice;
                    repaired = await SweepAsync(dataset, incarnation, claim, slice, now, cost, ct);
                }
            }
            var swept = sweptSlice is not null;
            // A first read that had to list every name (no checkpoint to start from, or one too old for the journal)
            // leaves a checkpoint that the next new process can start from, even when it fetched little.
            if (first && full && !cost.CheckpointWritten && _listed >= CheckpointEvery)
                await CheckpointAsync(dataset, incarnation, _listed, now, now - CommitJournal.LookBack, cost, ct);
            UpdateAwaited(cost.Missing, now);
            _lastRead = now;
            Interlocked.Exchange(ref _headsBytes, _heads.Values.Sum(h => h.HeldBytes));
            Interlocked.Exchange(ref _headsSpilledBytes, _heads.Values.Sum(h => h.SpilledBytes));

            LastRead = new CommitLogRead(_listed, cost.Read, cost.ListCalls, checkpoint is not null, cost.CheckpointWritten, clock.Elapsed)
            {
                FullListing = full || sweptSlice == SweepSlices.Whole, StartedFromJournal = startedFromJournal, Swept = swept, SweptSlice = sweptSlice,
                JournalEntriesRepaired = repaired,
                NamesListed = cost.Names, JournalLogsRead = cost.LogsRead, JournalBytesRead = cost.JournalBytes, JournalEntriesTrimmed = cost.Trimmed,
                SegmentsLoaded = _segmentsLoaded, HeadsLoaded = _headsLoaded,
                SegmentsWritten = cost.SegmentsWritten, JournalLinesAwaited = _awaited.Count,
                HeadsHeldBytes = HeadsBytes, HeadsSpilledBytes = HeadsSpilledBytes,
            };
            return new CommitLogSnapshot(new Dictionary<string, HeadsTable>(_heads, StringComparer.Ordinal),
                new Dictionary<string, MaskGeneratorInfo>(_generators, StringComparer.Ordinal), _latestCommitUtc);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>What one read did, added up over its listings and fetches.</summary>
    private sealed class ReadCost
    {
        public long Names, JournalBytes;
        public int ListCalls, LogsRead, Read, Trimmed, SegmentsWritten;
        public bool CheckpointWritten;
        /// <summary>Commit objects named by journal lines that were not there (their writers not done, or dead).</summary>
        public readonly HashSet<string> Missing = new(StringComparer.Ordinal);
    }

    /// <summary>
    /// Reads the journal past this reader's cursor (logs of minutes before <paramref name="readFrom"/> only positioned)
    /// and returns the commit objects it names that this reader does not cover; <c>SpanSound</c> is false when the span
    /// from <paramref name="spanStart"/> may have been trimmed (the reader then lists every name as well).
    /// </summary>
    private async Task<(List<string> Paths, bool SpanSound)> TryReadJournalAsync(Dataset dataset, string incarnation, DateTimeOffset? readFrom,
        DateTimeOffset spanStart, DateTimeOffset now, ReadCost cost, CancellationToken ct)
    {
        var read = await ReadJournalAsync(dataset, incarnation, readFrom, cost, ct);
        var paths = read.CommitPaths;
        paths.RemoveAll(IsCovered);
        // Read after the listing: a trim writes its mark before deleting, so the entries this span needed were all
        // there unless the mark has passed its start. Spans within half the retention cannot have been trimmed.
        var trimmed = now - spanStart > CommitJournal.Retention / 2 &&
                      await CommitJournal.ReadTrimMarkAsync(dataset, incarnation, ct) is { } trimmedBefore && trimmedBefore > spanStart;
        return (paths, !trimmed);
    }

    /// <summary>
    /// Lists every commit object name and returns the paths this reader does not cover; starts over (forgetting all it
    /// knew) when objects disappeared since the last such listing (part of the log deleted by hand).
    /// </summary>
    private async Task<(List<string> Pending, bool StartedOver)> ListEverythingAsync(Dataset dataset, string incarnation, ReadCost cost, CancellationToken ct)
    {
        var (listed, pending) = await ListUncoveredAsync(dataset, incarnation, SweepSlices.Whole, ct);
        var startedOver = listed < _fullyListed;
        if (startedOver)
        {
            Reset(incarnation);
            _checkpointTried = true;
            (listed, pending) = await ListUncoveredAsync(dataset, incarnation, SweepSlices.Whole, ct);
        }
        _listed = _fullyListed = listed;
        AddListing(dataset, listed, cost);
        return (pending, startedOver);
    }

    /// <summary>
    /// Lists every commit object name and fetches the objects this reader does not cover while it lists, a chunk at a
    /// time, so that a first read of a large log without a checkpoint holds two chunks of names, not every name. Only
    /// for a reader that never listed every name: one that did compares the count with its last one first, to start
    /// over when objects were deleted (<see cref="ListEverythingAsync"/>).
    /// </summary>
    private async Task ListAndFetchEverythingAsync(Dataset dataset, string incarnation, DateTimeOffset now, ReadCost cost, CancellationToken ct)
    {
        var listed = new NamesListed();
        var pending = new List<string>();
        await foreach (var path in UncoveredAsync(dataset, incarnation, SweepSlices.Whole, listed, ct))
        {
            pending.Add(path);
            NamesPendingMost = Math.Max(NamesPendingMost, pending.Count);
            // A chunk is held back, so that the last fetch, after the listing, is never empty: its checkpoint is the one
            // that records where the journal starts.
            if (pending.Count < 2 * FetchChunk) continue;
            // Once this chunk is fetched every name listed so far is covered but the chunk held back: what a checkpoint then covers.
            _listed = listed.Count - FetchChunk;
            await FetchAsync(dataset, incarnation, pending.GetRange(0, FetchChunk), null, now, cost, null, ct, listingGoesOn: true);
            pending.RemoveRange(0, FetchChunk);
        }
        _listed = _fullyListed = listed.Count;
        AddListing(dataset, listed.Count, cost);
        await FetchAsync(dataset, incarnation, pending, null, now, cost, null, ct);
    }

    /// <summary>Counts a listing of <paramref name="listed"/> commit object names into <paramref name="cost"/>.</summary>
    private static void AddListing(Dataset dataset, long listed, ReadCost cost)
    {
        cost.Names += listed;
        cost.ListCalls += dataset.Storage is Storage.AzureBlobStorage ? (int)Math.Max(1, (listed + CommitJournal.NamesPerListPage - 1) / CommitJournal.NamesPerListPage) : 1;
    }

    /// <summary>
    /// Fetches the commit objects <paramref name="pending"/> names and takes them, in chunks so that a first read of a
    /// large log without a checkpoint holds one chunk of entries, not all; writes a checkpoint when enough were fetched.
    /// <paramref name="pending"/> came from the journal from <paramref name="journalFrom"/> on, or (null) from a listing of
    /// every name. <paramref name="found"/>, when given, receives every entry fetched. <paramref name="listingGoesOn"/>:
    /// a listing of every name that has more to fetch after these, so no checkpoint written here is complete.
    /// </summary>
    private async Task FetchAsync(Dataset dataset, string incarnation, List<string> pending, DateTimeOffset? journalFrom, DateTimeOffset now,
        ReadCost cost, List<ShardEntry>? found, CancellationToken ct, bool listingGoesOn = false)
    {
        var full = journalFrom is null;
        NamesPendingMost = Math.Max(NamesPendingMost, pending.Count);
        var log = new CommitLog(dataset);
        for (var start = 0; start < Math.Max(1, pending.Count); start += FetchChunk)
        {
            var chunk = pending.GetRange(start, Math.Min(FetchChunk, pending.Count - start));
            var fetched = new ShardCommitObject?[chunk.Count];
            await Parallel.ForEachAsync(Enumerable.Range(0, chunk.Count),
                new ParallelOptions { MaxDegreeOfParallelism = CommitLog.ParallelRequests, CancellationToken = ct },
                async (i, token) =>
                {
                    try { fetched[i] = await log.ReadAsync(incarnation, chunk[i], token); }
                    // A line whose object is not there yet (or was deleted by hand): awaited for a while, then dropped.
                    catch (FileNotFoundException) when (!full)
                    {
                        lock (cost.Missing) cost.Missing.Add(chunk[i]);
                    }
                });
            foreach (var commit in fetched)
            {
                if (commit is null) continue;
                found?.Add(commit.Entry);
                Apply(commit.Entry, commit.Generator, fromSegment: false);
                cost.Read++;
                _fetchedSinceCheckpoint++;
                // Each object found in the journal is one the last full listing did not have; counted before a
                // checkpoint is named after the count, so that a newer checkpoint sorts after the one it follows.
                if (!full) _listed++;
            }
            MergeChanges(dataset);
            // Also after a smaller catch-up that is a large part of the log (a new process on a dataset whose last
            // checkpoint is old), so the next new process does not fetch the same objects again.
            if (_fetchedSinceCheckpoint >= Math.Max(MinCheckpointFetches, Math.Min(CheckpointEvery, _listed / 10)))
            {
                // Named after the objects it covers, which grows from one chunk's checkpoint to the next, so the
                // newest sorts last (a full listing knows the final count before the first chunk is fetched).
                var remaining = pending.Count - start - chunk.Count;
                // Complete, it records where this reader's next poll would start. Part-way, the objects not fetched yet
                // are in the journal from where this read's listing started, or (a listing of every name) in none.
                await CheckpointAsync(dataset, incarnation, full ? _listed - remaining : _listed, now,
                    remaining == 0 && !listingGoesOn ? now - CommitJournal.LookBack : journalFrom, cost, ct);
            }
        }
    }

    /// <summary>
    /// The whole entries of <paramref name="heads"/>, one block's heads of a snapshot: from the block's stored
    /// segment, the entries this reader has not stored yet, and the commit objects of any others (each named by the
    /// shard's version, so never a newer one than the snapshot's).
    /// </summary>
    public async Task<ShardEntry[]> ReadBlockAsync(Dataset dataset, string incarnation, string kind, ReadOnlyMemory<ShardHead> heads,
        CommitStreamRead? read, CancellationToken ct)
    {
        var (segment, unstored) = await BlockStateAsync(incarnation, kind, heads, ct);
        var (entries, segmentUnreadable) = await ReadBlockAsync(dataset, incarnation, kind, heads, segment, unstored, read, ct);
        if (segmentUnreadable) await ForgetSegmentAsync(incarnation, kind, segment!, entries, ct);
        return entries;
    }

    /// <summary>
    /// Forgets a stored segment found gone or unreadable (its heads came from its heads file, or it was deleted since):
    /// the block is stored again with the next checkpoint, which the next read writes, from the entries just fetched.
    /// </summary>
    private async Task ForgetSegmentAsync(string incarnation, string kind, CheckpointSegmentRef segment, ShardEntry[] entries, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var key = (kind, segment.Block);
            if (_incarnation != incarnation || !_segments.TryGetValue(key, out var known) || known.Ref != segment) return;
            _segments.Remove(key);
            _dirty.Add(key);
            _fetchedSinceCheckpoint = Math.Max(_fetchedSinceCheckpoint, CheckpointEvery);
            if (_unstored.Count + entries.Length > UnstoredLimit) return;
            foreach (var entry in entries)
                if (KnownVersion(kind, entry.Index) == entry.Version) _unstored[(kind, entry.Index)] = entry;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The stored segment of a block whose heads are <paramref name="heads"/>, when it holds exactly those versions (its totals are theirs).</summary>
    public async Task<CheckpointSegmentRef?> CurrentSegmentAsync(string incarnation, string kind, ReadOnlyMemory<ShardHead> heads, CancellationToken ct)
    {
        var (segment, _) = await BlockStateAsync(incarnation, kind, heads, ct);
        if (segment is null || segment.Shards != heads.Length) return null;
        var pairs = new (int, int)[heads.Length];
        for (var i = 0; i < pairs.Length; i++) pairs[i] = (heads.Span[i].Index, heads.Span[i].Version);
        return segment.VersionsDigest == CheckpointSegmentRef.DigestOf(pairs) ? segment : null;
    }

    private async Task<(CheckpointSegmentRef? Segment, List<ShardEntry> Unstored)> BlockStateAsync(string incarnation, string kind,
        ReadOnlyMemory<ShardHead> heads, CancellationToken ct)
    {
        if (heads.IsEmpty) return (null, []);
        await _gate.WaitAsync(ct);
        try
        {
            var block = CheckpointSegment.BlockOf(heads.Span[0].Index);
            var segment = _incarnation == incarnation && _segments.TryGetValue((kind, block), out var known) ? known.Ref : null;
            return (segment, UnstoredOf(kind, heads.Span));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The whole entries of one block's <paramref name="heads"/>: from the segment, the unstored entries, else their
    /// commit objects; and whether <paramref name="segment"/> was needed but could not be read.
    /// </summary>
    private static async Task<(ShardEntry[] Entries, bool SegmentUnreadable)> ReadBlockAsync(Dataset dataset, string incarnation, string kind, ReadOnlyMemory<ShardHead> heads,
        CheckpointSegmentRef? segment, List<ShardEntry> unstored, CommitStreamRead? read, CancellationToken ct)
    {
        var known = new Dictionary<int, ShardEntry>();
        foreach (var entry in unstored) known[entry.Index] = entry;
        var segmentUnreadable = false;
        if (segment is not null && known.Count < heads.Length)
        {
            if (await CommitCheckpoints.TryReadSegmentAsync(dataset, segment, ct) is { } stored)
            {
                if (read is not null) read.SegmentsLoaded++;
                foreach (var entry in stored.Shards) known.TryAdd(entry.Index, entry);
            }
            else segmentUnreadable = true;
        }
        var entries = new ShardEntry[heads.Length];
        var missing = new List<int>();
        for (var i = 0; i < heads.Length; i++)
        {
            var head = heads.Span[i];
            if (known.TryGetValue(head.Index, out var entry) && entry.Version == head.Version) entries[i] = entry;
            else missing.Add(i);
        }
        var log = new CommitLog(dataset);
        await Parallel.ForEachAsync(missing, new ParallelOptions { MaxDegreeOfParallelism = CommitLog.ParallelRequests, CancellationToken = ct },
            async (i, token) => entries[i] = (await log.ReadAsync(incarnation,
                CommitKeys.CommitPath(incarnation, kind, heads.Span[i].Index, heads.Span[i].Version), token)).Entry);
        if (read is not null) read.ObjectsFetched += missing.Count;
        return (entries, segmentUnreadable);
    }

    /// <summary>The unstored entries of <paramref name="block"/>'s shards; a spilled block is read back only when there are any.</summary>
    private List<ShardEntry> UnstoredOf(string kind, HeadsBlock block) => _unstored.Count == 0 ? [] : UnstoredOf(kind, block.Heads());

    private List<ShardEntry> UnstoredOf(string kind, ReadOnlySpan<ShardHead> heads)
    {
        var entries = new List<ShardEntry>();
        if (_unstored.Count == 0) return entries;
        foreach (var head in heads)
            if (_unstored.TryGetValue((kind, head.Index), out var entry)) entries.Add(entry);
        return entries;
    }

    /// <summary>True when this reader knows the shard of <paramref name="commitPath"/> at that version or a newer one.</summary>
    private bool IsCovered(string commitPath) =>
        CommitKeys.TryParseCommitPath(_incarnation!, commitPath, out var kind, out var index, out var version) && KnownVersion(kind, index) >= version;

    /// <summary>The version of the shard this reader knows, or -1.</summary>
    private int KnownVersion(string kind, int index)
    {
        if (_changes.TryGetValue(kind, out var changes) && changes.TryGetValue(index, out var changed)) return changed.Version;
        return _heads.TryGetValue(kind, out var heads) && heads.Find(index) is { } head ? head.Version : -1;
    }

    private void Reset(string incarnation)
    {
        // Lines awaited are still awaited when this reader starts over on the same incarnation (part of the log deleted by hand).
        if (_incarnation != incarnation) _awaited.Clear();
        _heads.Clear();
        _spill = null;   // snapshots still using its blocks keep it open
        _changes.Clear();
        _unstored.Clear();
        _generators.Clear();
        _segments.Clear();
        _dirty.Clear();
        _journal.Clear();
        _incarnation = incarnation;
        _checkpointTried = false;
        _listed = _fullyListed = 0;
        _fetchedSinceCheckpoint = 0;
        _latestCommitUtc = DateTimeOffset.MinValue;
        _lastRead = _lastSweepCheck = null;
        _ownSweepSlice = null;
    }

    /// <summary>
    /// Takes <paramref name="entry"/> when it is newer than what this reader knows of its shard. An entry that is not
    /// from the block's stored segment makes the block dirty and is kept whole until the next checkpoint stores it.
    /// </summary>
    private void Apply(ShardEntry entry, MaskGeneratorInfo? generator, bool fromSegment)
    {
        if (generator is not null) _generators.TryAdd(generator.Id, generator);
        var kind = string.IsInterned(entry.Kind) ?? string.Intern(entry.Kind);
        if (!TakeHead(kind, ShardHead.Of(entry))) return;
        if (entry.CommittedUtc > _latestCommitUtc) _latestCommitUtc = entry.CommittedUtc;
        if (fromSegment) return;
        _dirty.Add((kind, CheckpointSegment.BlockOf(entry.Index)));
        _unstored[(kind, entry.Index)] = entry;
    }

    /// <summary>Takes <paramref name="head"/> when it is newer than what this reader knows of its shard; false when it is not.</summary>
    private bool TakeHead(string kind, ShardHead head)
    {
        if (KnownVersion(kind, head.Index) >= head.Version) return false;
        (_changes.TryGetValue(kind, out var changes) ? changes : _changes[kind] = new())[head.Index] = head;
        return true;
    }

    /// <summary>
    /// Merges <see cref="_changes"/> into new tables (snapshots keep the old ones), copying only the blocks they touch;
    /// then spills the blocks held in memory if they pass <see cref="HeadsHeldLimit"/>.
    /// </summary>
    private void MergeChanges(Dataset dataset)
    {
        foreach (var (kind, changes) in _changes)
        {
            if (changes.Count == 0) continue;
            var added = changes.Values.ToArray();
            Array.Sort(added, (a, b) => a.Index.CompareTo(b.Index));
            _heads[kind] = (_heads.GetValueOrDefault(kind) ?? HeadsTable.Empty).Merge(added);
        }
        _changes.Clear();
        SpillIfOver(dataset);
    }

    /// <summary>
    /// Lists the commit objects of <paramref name="slice"/> (<see cref="SweepSlices"/>; every one for
    /// <see cref="SweepSlices.Whole"/>); returns how many there are and the paths not yet covered.
    /// </summary>
    private async Task<(long Listed, List<string> Pending)> ListUncoveredAsync(Dataset dataset, string incarnation, string slice, CancellationToken ct)
    {
        var listed = new NamesListed();
        var pending = new List<string>();
        await foreach (var path in UncoveredAsync(dataset, incarnation, slice, listed, ct)) pending.Add(path);
        return (listed.Count, pending);
    }

    /// <summary>How many commit object names a listing returned so far (<see cref="UncoveredAsync"/> counts them as it goes).</summary>
    private sealed class NamesListed
    {
        public long Count;
    }

    /// <summary>The paths of the commit objects of <paramref name="slice"/> that this reader does not cover, as they are listed.</summary>
    private async IAsyncEnumerable<string> UncoveredAsync(Dataset dataset, string incarnation, string slice, NamesListed listed,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var strip = dataset.Prefix.Length + 1;
        await foreach (var item in dataset.Storage.ListAsync($"{dataset.Prefix}/{CommitKeys.CommitsFolderOf(incarnation)}/{slice}", ct))
        {
            var path = item.Key[strip..];
            if (!CommitKeys.TryParseCommitPath(incarnation, path, out var kind, out var index, out var version)) continue;
            listed.Count++;
            // An object at or below the version already known is covered (the same commit, or one it superseded).
            if (KnownVersion(kind, index) >= version) continue;
            yield return path;
        }
    }
}
