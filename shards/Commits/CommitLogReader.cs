using System.Collections.Concurrent;
using System.Diagnostics;

namespace SSeg.Shards.Commits;

/// <summary>
/// Reads the committed shards of one dataset. The first read in a process loads the newest checkpoint, lists every
/// commit object name once and fetches only the objects the checkpoint does not cover. Later reads (a barrier poll,
/// a dashboard refresh) list only the journal minutes since the previous read (<see cref="CommitJournal"/>) and fetch
/// the commit objects named there that this reader does not know at that version, so a poll costs what changed,
/// not the dataset's size; every <see cref="FullListingEvery"/> a read lists every name again, which finds commits
/// whose journal entry is missing. One reader per dataset and storage root lives for the process. After
/// <see cref="CheckpointEvery"/> fetched objects (or a tenth of the log, at least 100) it writes a new checkpoint,
/// so a fresh process starts from a snapshot instead of fetching every commit object.
/// </summary>
internal sealed class CommitLogReader
{
    /// <summary>Commit objects fetched since the last checkpoint after which a reader writes a new one.</summary>
    public const int CheckpointEvery = 1000;
    /// <summary>
    /// How often a long-lived reader lists every commit object name instead of the journal: the longest a commit
    /// whose journal entry is missing (its writer died between the two writes, or an older build wrote it) stays
    /// unseen by an existing reader. Ten minutes keeps that well under a stage's length while a reader polling every
    /// few seconds pays the whole listing once per hundreds of polls.
    /// </summary>
    public static readonly TimeSpan FullListingEvery = TimeSpan.FromMinutes(10);
    /// <summary>Fewest fetched objects worth a checkpoint.</summary>
    private const int MinCheckpointFetches = 100;
    /// <summary>
    /// How long a segment this reader loaded or wrote is trusted to still exist when a new checkpoint refers to it
    /// unchanged; older ones are checked first, as another writer's checkpoints may have replaced and deleted it.
    /// </summary>
    private static readonly TimeSpan SegmentTrusted = TimeSpan.FromMinutes(10);
    // Bounded: a long-lived host that browses many datasets keeps the readers of the most recent ones only.
    private const int MaxCachedReaders = 64;
    private static readonly ConcurrentDictionary<string, CommitLogReader> Readers = new(StringComparer.Ordinal);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<(string Kind, int Index), ShardEntry> _newest = new();
    private readonly Dictionary<string, MaskGeneratorInfo> _generators = new(StringComparer.Ordinal);
    /// <summary>The stored segment of each block this reader's entries match, and when it was last known to exist.</summary>
    private readonly Dictionary<(string Kind, int Block), (CheckpointSegmentRef Ref, DateTimeOffset Seen)> _segments = new();
    /// <summary>Blocks whose entries changed since their stored segment (all of them when there is none).</summary>
    private readonly HashSet<(string Kind, int Block)> _dirty = new();
    private string? _incarnation;
    private bool _checkpointTried;
    private long _listed;
    private int _fetchedSinceCheckpoint;
    private int _segmentsLoaded;
    /// <summary>Reader clock when the previous read started, and when the last full listing started (null: none yet).</summary>
    private DateTimeOffset? _lastRead, _lastFullListing;

    /// <summary>The process-wide reader of <paramref name="dataset"/>.</summary>
    public static CommitLogReader For(Dataset dataset)
    {
        var key = KeyOf(dataset);
        if (Readers.TryGetValue(key, out var reader)) return reader;
        if (Readers.Count >= MaxCachedReaders) Readers.Clear();
        return Readers.GetOrAdd(key, _ => new CommitLogReader());
    }

    /// <summary>Drops the reader of <paramref name="dataset"/>, as a new process would start (tests of checkpoints and of the journal).</summary>
    internal static void Forget(Dataset dataset) => Readers.TryRemove(KeyOf(dataset), out _);

    private static string KeyOf(Dataset dataset) => dataset.Storage.RootUri + "\n" + dataset.Prefix;

    /// <summary>What the last <see cref="ReadAsync"/> cost.</summary>
    public CommitLogRead? LastRead { get; private set; }

    /// <summary>The newest entry of every committed shard and the generators of committed mask shards.</summary>
    public async Task<(IReadOnlyList<ShardEntry> Shards, IReadOnlyDictionary<string, MaskGeneratorInfo> Generators)> ReadAsync(
        Dataset dataset, string incarnation, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var clock = Stopwatch.StartNew();
            // Taken before listing: a commit filed while the listing runs is within the next read's look-back.
            var now = dataset.Clock.GetUtcNow();
            if (_incarnation != incarnation) Reset(incarnation);   // a deleted and recreated dataset
            _segmentsLoaded = 0;
            var checkpointLoaded = !_checkpointTried && await TryLoadCheckpointAsync(dataset, incarnation, now, ct);
            _checkpointTried = true;

            // A clock that went backwards (corrected by NTP) or jumped far ahead makes the journal window unsound: list everything.
            var full = _lastRead is not { } last || _lastFullListing is not { } lastFull || now < last || now - lastFull >= FullListingEvery;
            List<string> pending;
            long names;
            int listCalls;
            if (full)
            {
                long listed;
                (listed, pending) = await ListUncoveredAsync(dataset, incarnation, ct);
                if (listed < _listed)
                {
                    // Commit objects disappeared: someone deleted part of this incarnation's log by hand. Start over.
                    Reset(incarnation);
                    _checkpointTried = true;
                    (listed, pending) = await ListUncoveredAsync(dataset, incarnation, ct);
                }
                _listed = listed;
                names = listed;
                listCalls = dataset.Storage is Storage.AzureBlobStorage ? (int)Math.Max(1, (listed + CommitJournal.NamesPerListPage - 1) / CommitJournal.NamesPerListPage) : 1;
                _lastFullListing = now;
            }
            else
            {
                (pending, names, listCalls) = await CommitJournal.ListAsync(dataset, incarnation,
                    _lastRead!.Value - CommitJournal.LookBack, now + CommitJournal.ClockSkew, ct);
                pending.RemoveAll(IsCovered);
            }
            var log = new CommitLog(dataset);
            var fetched = new ShardCommitObject?[pending.Count];
            await Parallel.ForEachAsync(Enumerable.Range(0, pending.Count),
                new ParallelOptions { MaxDegreeOfParallelism = CommitLog.ParallelRequests, CancellationToken = ct },
                async (i, token) =>
                {
                    try { fetched[i] = await log.ReadAsync(incarnation, pending[i], token); }
                    // A journal entry whose object is gone (deleted by hand): the full listing is the truth, skip it.
                    catch (FileNotFoundException) when (!full) { }
                });
            var read = 0;
            foreach (var commit in fetched)
            {
                if (commit is null) continue;
                Apply(commit.Entry, commit.Generator);
                read++;
            }
            if (!full) _listed += read;   // each object found in the journal is one the last full listing did not have
            _lastRead = now;
            _fetchedSinceCheckpoint += read;

            var checkpointWritten = false;
            var trimmed = 0;
            // Also after a smaller catch-up that is a large part of the log (a new process on a dataset whose last
            // checkpoint is old), so the next new process does not fetch the same objects again.
            var shards = _newest.Values.OrderBy(s => s.Kind, StringComparer.Ordinal).ThenBy(s => s.Index).ToList();
            var segmentsWritten = 0;
            if (_fetchedSinceCheckpoint >= Math.Max(MinCheckpointFetches, Math.Min(CheckpointEvery, _listed / 10)))
            {
                segmentsWritten = await TryWriteCheckpointAsync(dataset, incarnation, shards, now, ct);
                checkpointWritten = segmentsWritten >= 0;
                if (checkpointWritten) trimmed = await TryTrimJournalAsync(dataset, incarnation, ct);
                _fetchedSinceCheckpoint = 0;
            }
            LastRead = new CommitLogRead(_listed, read, listCalls, checkpointLoaded, checkpointWritten, clock.Elapsed)
            {
                FullListing = full, NamesListed = names, JournalEntriesTrimmed = trimmed, SegmentsLoaded = _segmentsLoaded,
                SegmentsWritten = Math.Max(0, segmentsWritten),
            };
            return (shards, new Dictionary<string, MaskGeneratorInfo>(_generators, StringComparer.Ordinal));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>True when this reader knows the shard of <paramref name="commitPath"/> at that version or a newer one.</summary>
    private bool IsCovered(string commitPath) =>
        CommitKeys.TryParseCommitPath(_incarnation!, commitPath, out var kind, out var index, out var version) &&
        _newest.TryGetValue((kind, index), out var known) && known.Version >= version;

    private void Reset(string incarnation)
    {
        _newest.Clear();
        _generators.Clear();
        _segments.Clear();
        _dirty.Clear();
        _incarnation = incarnation;
        _checkpointTried = false;
        _listed = 0;
        _fetchedSinceCheckpoint = 0;
        _lastRead = _lastFullListing = null;
    }

    private void Apply(ShardEntry entry, MaskGeneratorInfo? generator, bool fromSegment = false)
    {
        var key = (entry.Kind, entry.Index);
        if (!_newest.TryGetValue(key, out var current) || current.Version < entry.Version)
        {
            _newest[key] = entry;
            if (!fromSegment) _dirty.Add((entry.Kind, CheckpointSegment.BlockOf(entry.Index)));
        }
        if (generator is not null) _generators.TryAdd(generator.Id, generator);
    }

    /// <summary>Lists every commit object; returns how many there are and the paths not yet covered.</summary>
    private async Task<(long Listed, List<string> Pending)> ListUncoveredAsync(Dataset dataset, string incarnation, CancellationToken ct)
    {
        long listed = 0;
        var pending = new List<string>();
        var strip = dataset.Prefix.Length + 1;
        await foreach (var item in dataset.Storage.ListAsync($"{dataset.Prefix}/{CommitKeys.CommitsFolderOf(incarnation)}/", ct))
        {
            var path = item.Key[strip..];
            if (!CommitKeys.TryParseCommitPath(incarnation, path, out var kind, out var index, out var version)) continue;
            listed++;
            // An object at or below the version already known is covered (the same commit, or one it superseded).
            if (_newest.TryGetValue((kind, index), out var known) && known.Version >= version) continue;
            pending.Add(path);
        }
        return (listed, pending);
    }

    /// <summary>
    /// Loads the newest checkpoint: its index, then its segments. A segment that cannot be read is skipped (its
    /// shards' commit objects are fetched instead, and its block is written again with the next checkpoint).
    /// </summary>
    private async Task<bool> TryLoadCheckpointAsync(Dataset dataset, string incarnation, DateTimeOffset now, CancellationToken ct)
    {
        var checkpoint = await CommitCheckpoints.ReadNewestIndexAsync(dataset, incarnation, ct);
        if (checkpoint is null) return false;
        foreach (var entry in checkpoint.Shards) Apply(entry, null);   // schema 1: every entry inline, no segments yet
        var segments = await CommitCheckpoints.ReadSegmentsAsync(dataset, checkpoint.Segments, ct);
        for (var i = 0; i < segments.Length; i++)
        {
            if (segments[i] is not { } segment) continue;
            foreach (var entry in segment.Shards) Apply(entry, null, fromSegment: true);
            _segments[(segment.Kind, segment.Block)] = (checkpoint.Segments[i], now);
            _segmentsLoaded++;
        }
        foreach (var (id, generator) in checkpoint.Generators) _generators.TryAdd(id, generator);
        return true;
    }

    /// <summary>Trims the journal (<see cref="CommitJournal.TrimAsync"/>); best effort like the checkpoint it follows.</summary>
    private static async Task<int> TryTrimJournalAsync(Dataset dataset, string incarnation, CancellationToken ct)
    {
        try
        {
            return await CommitJournal.TrimAsync(dataset, incarnation, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return 0;
        }
    }

    /// <summary>
    /// Writes a checkpoint of what this reader knows: the segments of the blocks that changed since their stored
    /// segment, then an index naming every block's segment. Returns the segments written, or -1 when it failed.
    /// Best effort: a reader on a read-only root (a dashboard with read-only credentials) still reads correctly
    /// without one, it only fetches more objects in a new process.
    /// </summary>
    private async Task<int> TryWriteCheckpointAsync(Dataset dataset, string incarnation, IReadOnlyList<ShardEntry> shards, DateTimeOffset now, CancellationToken ct)
    {
        try
        {
            // shards is ordered by kind then index, so each block's entries are one run of it.
            var blocks = new List<(string Kind, int Block, int Start, int End)>();
            for (var start = 0; start < shards.Count;)
            {
                var (kind, block) = (shards[start].Kind, CheckpointSegment.BlockOf(shards[start].Index));
                var end = start;
                while (end < shards.Count && shards[end].Kind == kind && CheckpointSegment.BlockOf(shards[end].Index) == block) end++;
                blocks.Add((kind, block, start, end));
                start = end;
            }
            // A segment not seen for a while may have been replaced by other writers' checkpoints and deleted: check
            // that it is still there before naming it again, and store the block again if not.
            var unsure = blocks.Where(b => !_dirty.Contains((b.Kind, b.Block)) && _segments.TryGetValue((b.Kind, b.Block), out var known) && now - known.Seen > SegmentTrusted).ToList();
            var gone = new bool[unsure.Count];
            await Parallel.ForEachAsync(Enumerable.Range(0, unsure.Count), new ParallelOptions { MaxDegreeOfParallelism = CommitLog.ParallelRequests, CancellationToken = ct },
                async (i, token) => gone[i] = await dataset.Storage.GetInfoAsync(dataset.KeyOf(_segments[(unsure[i].Kind, unsure[i].Block)].Ref.Path), token) is null);
            for (var i = 0; i < unsure.Count; i++)
            {
                var key = (unsure[i].Kind, unsure[i].Block);
                if (gone[i]) _segments.Remove(key);   // forgotten, so the same content is written again, not skipped as stored
                else _segments[key] = (_segments[key].Ref, now);
            }
            foreach (var b in blocks)
                if (!_segments.ContainsKey((b.Kind, b.Block))) _dirty.Add((b.Kind, b.Block));

            var changed = blocks.Where(b => _dirty.Contains((b.Kind, b.Block))).ToList();
            var stored = new CheckpointSegmentRef[changed.Count];
            var written = 0;
            await Parallel.ForEachAsync(Enumerable.Range(0, changed.Count), new ParallelOptions { MaxDegreeOfParallelism = CommitLog.ParallelRequests, CancellationToken = ct },
                async (i, token) =>
                {
                    var (kind, block, start, end) = changed[i];
                    var entries = new ShardEntry[end - start];
                    for (var j = start; j < end; j++) entries[j - start] = shards[j];
                    var previous = _segments.TryGetValue((kind, block), out var known) ? known.Ref : null;
                    stored[i] = await CommitCheckpoints.WriteSegmentAsync(dataset, incarnation, kind, block, entries, previous, token);
                    if (stored[i].Path != previous?.Path) Interlocked.Increment(ref written);
                });
            for (var i = 0; i < changed.Count; i++) _segments[(changed[i].Kind, changed[i].Block)] = (stored[i], now);
            var refs = blocks.Select(b => _segments[(b.Kind, b.Block)].Ref).ToList();
            await CommitCheckpoints.WriteIndexAsync(dataset, incarnation, new CommitCheckpoint
            {
                CommitObjects = _listed,
                CreatedUtc = DateTimeOffset.UtcNow,
                Segments = refs,
                Generators = new SortedDictionary<string, MaskGeneratorInfo>(_generators, StringComparer.Ordinal),
            }, ct);
            _dirty.Clear();
            return written;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return -1;
        }
    }
}
