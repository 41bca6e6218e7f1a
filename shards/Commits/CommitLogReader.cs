using System.Collections.Concurrent;
using System.Diagnostics;

namespace SSeg.Shards.Commits;

/// <summary>
/// Reads the committed shards of one dataset: the newest checkpoint, then one listing of <c>_commits/</c>, then
/// only the commit objects that neither the checkpoint nor an earlier read in this process has covered. One reader
/// per dataset and storage root lives for the process, so a poll (a barrier, a dashboard refresh) fetches only
/// what was committed since the previous one. After <see cref="CheckpointEvery"/> fetched objects (or a tenth of the
/// log, at least 100) it writes a new checkpoint, so a fresh process starts from a snapshot instead of fetching
/// every commit object.
/// </summary>
internal sealed class CommitLogReader
{
    /// <summary>Commit objects fetched since the last checkpoint after which a reader writes a new one.</summary>
    public const int CheckpointEvery = 1000;
    /// <summary>Fewest fetched objects worth a checkpoint.</summary>
    private const int MinCheckpointFetches = 100;
    /// <summary>Newest checkpoints kept; older ones are deleted by the writer of a new one.</summary>
    private const int CheckpointsKept = 2;
    /// <summary>Names per list page on Azure Blob (the service maximum), to report list calls.</summary>
    private const int NamesPerListPage = 5000;
    private const int ParallelReads = 16;
    // Bounded: a long-lived host that browses many datasets keeps the readers of the most recent ones only.
    private const int MaxCachedReaders = 64;
    private static readonly ConcurrentDictionary<string, CommitLogReader> Readers = new(StringComparer.Ordinal);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<(string Kind, int Index), ShardEntry> _newest = new();
    private readonly Dictionary<string, MaskGeneratorInfo> _generators = new(StringComparer.Ordinal);
    private string? _incarnation;
    private bool _checkpointTried;
    private long _listed;
    private int _fetchedSinceCheckpoint;

    /// <summary>The process-wide reader of <paramref name="dataset"/>.</summary>
    public static CommitLogReader For(Dataset dataset)
    {
        var key = dataset.Storage.RootUri + "\n" + dataset.Prefix;
        if (Readers.TryGetValue(key, out var reader)) return reader;
        if (Readers.Count >= MaxCachedReaders) Readers.Clear();
        return Readers.GetOrAdd(key, _ => new CommitLogReader());
    }

    /// <summary>Drops every reader, as a new process would start (tests of checkpoints).</summary>
    internal static void ForgetAll() => Readers.Clear();

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
            if (_incarnation != incarnation) Reset(incarnation);   // a deleted and recreated dataset
            var checkpointLoaded = !_checkpointTried && await TryLoadCheckpointAsync(dataset, incarnation, ct);
            _checkpointTried = true;

            var (listed, pending) = await ListUncoveredAsync(dataset, incarnation, ct);
            if (listed < _listed)
            {
                // Commit objects disappeared: someone deleted part of this incarnation's log by hand. Start over.
                Reset(incarnation);
                _checkpointTried = true;
                (listed, pending) = await ListUncoveredAsync(dataset, incarnation, ct);
            }
            var log = new CommitLog(dataset);
            var fetched = new ShardCommitObject[pending.Count];
            await Parallel.ForEachAsync(Enumerable.Range(0, pending.Count),
                new ParallelOptions { MaxDegreeOfParallelism = ParallelReads, CancellationToken = ct },
                async (i, token) => fetched[i] = await log.ReadAsync(incarnation, pending[i], token));
            foreach (var commit in fetched) Apply(commit.Entry, commit.Generator);
            _listed = listed;
            _fetchedSinceCheckpoint += pending.Count;

            var checkpointWritten = false;
            // Also after a smaller catch-up that is a large part of the log (a new process on a dataset whose last
            // checkpoint is old), so the next new process does not fetch the same objects again.
            if (_fetchedSinceCheckpoint >= Math.Max(MinCheckpointFetches, Math.Min(CheckpointEvery, listed / 10)))
            {
                checkpointWritten = await TryWriteCheckpointAsync(dataset, incarnation, ct);
                _fetchedSinceCheckpoint = 0;
            }
            var shards = _newest.Values.OrderBy(s => s.Kind, StringComparer.Ordinal).ThenBy(s => s.Index).ToList();
            var listCalls = dataset.Storage is Storage.AzureBlobStorage ? (int)Math.Max(1, (listed + NamesPerListPage - 1) / NamesPerListPage) : 1;
            LastRead = new CommitLogRead(listed, pending.Count, listCalls,
                checkpointLoaded, checkpointWritten, clock.Elapsed);
            return (shards, new Dictionary<string, MaskGeneratorInfo>(_generators, StringComparer.Ordinal));
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Reset(string incarnation)
    {
        _newest.Clear();
        _generators.Clear();
        _incarnation = incarnation;
        _checkpointTried = false;
        _listed = 0;
        _fetchedSinceCheckpoint = 0;
    }

    private void Apply(ShardEntry entry, MaskGeneratorInfo? generator)
    {
        var key = (entry.Kind, entry.Index);
        if (!_newest.TryGetValue(key, out var current) || current.Version < entry.Version) _newest[key] = entry;
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

    private async Task<bool> TryLoadCheckpointAsync(Dataset dataset, string incarnation, CancellationToken ct)
    {
        var newest = (await ListCheckpointsAsync(dataset, incarnation, ct)).LastOrDefault();
        if (newest is null) return false;
        var content = await dataset.Storage.ReadVersionedAsync(dataset.KeyOf(newest), ct);
        if (content is null) return false;   // replaced by a newer one since the listing: fetching the objects is correct too
        var checkpoint = ShardJson.Deserialize<CommitCheckpoint>(content.Content, $"Checkpoint {dataset.Storage.RootUri}/{dataset.KeyOf(newest)}");
        if (checkpoint.SchemaVersion > CommitCheckpoint.CurrentSchemaVersion) return false;
        foreach (var entry in checkpoint.Shards) Apply(entry, null);
        foreach (var (id, generator) in checkpoint.Generators) _generators.TryAdd(id, generator);
        return true;
    }

    /// <summary>Checkpoint paths (relative to the dataset folder), oldest first.</summary>
    public static async Task<List<string>> ListCheckpointsAsync(Dataset dataset, string incarnation, CancellationToken ct)
    {
        var strip = dataset.Prefix.Length + 1;
        var paths = new List<string>();
        await foreach (var item in dataset.Storage.ListAsync($"{dataset.Prefix}/{CommitKeys.CheckpointsFolderOf(incarnation)}/", ct))
            if (CommitKeys.IsCheckpointPath(incarnation, item.Key[strip..])) paths.Add(item.Key[strip..]);
        paths.Sort(StringComparer.Ordinal);
        return paths;
    }

    /// <summary>
    /// Writes a checkpoint of what this reader knows. Best effort: a reader on a read-only root (a dashboard with
    /// read-only credentials) still reads correctly without one, it only fetches more objects in a new process.
    /// </summary>
    private async Task<bool> TryWriteCheckpointAsync(Dataset dataset, string incarnation, CancellationToken ct)
    {
        try
        {
            var checkpoint = new CommitCheckpoint
            {
                CommitObjects = _listed,
                CreatedUtc = DateTimeOffset.UtcNow,
                Shards = _newest.Values.OrderBy(s => s.Kind, StringComparer.Ordinal).ThenBy(s => s.Index).ToList(),
                Generators = new SortedDictionary<string, MaskGeneratorInfo>(_generators, StringComparer.Ordinal),
            };
            await dataset.Storage.WriteAsync(dataset.KeyOf(CommitKeys.CheckpointPath(incarnation, _listed)), ShardJson.SerializeCompact(checkpoint), ct);
            var all = await ListCheckpointsAsync(dataset, incarnation, ct);
            foreach (var old in all.Take(Math.Max(0, all.Count - CheckpointsKept)))
                await dataset.Storage.DeleteAsync(dataset.KeyOf(old), ct);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return false;
        }
    }
}
