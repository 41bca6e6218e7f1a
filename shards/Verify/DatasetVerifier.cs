using SSeg.Shards.Commits;
using SSeg.Shards.Storage;

namespace SSeg.Shards;

/// <summary>The outcome for one listed shard: <see cref="Problem"/> is null when the shard is sound.</summary>
public sealed record ShardCheck(string Kind, int Index, string Path, string? Problem, long? RowsInFile, long? BytesInStorage)
{
    public bool Ok => Problem is null;
}

/// <summary>
/// Result of <see cref="DatasetVerifier.VerifyAsync(Dataset,bool,IProgress{ShardCheck}?,CancellationToken)"/>: the
/// <see cref="ShardCheck"/> of every bad shard and how many shards were checked, a dataset-level
/// <see cref="ManifestProblem"/> (missing/corrupt manifest, damaged commit log) and unlisted orphan files (harmless
/// leftovers of crashed or duplicate writers). Sound shards are counted, not kept, so the report's size follows the
/// damage found, not the dataset's.
/// </summary>
public sealed record VerifyReport(string Dataset, string? ManifestProblem, IReadOnlyList<ShardCheck> Bad, long ShardsChecked, IReadOnlyList<string> Orphans)
{
    public bool Ok => ManifestProblem is null && Bad.Count == 0;
}

/// <summary>
/// Checks the commit log (<see cref="CommitLogVerifier"/>) and every committed shard: present, size and SHA-256 as
/// recorded, Parquet footer readable, schema of its kind, row count as recorded, sidecar files present. Every problem becomes a line of the report;
/// nothing about a bad file throws. It holds about one block of whole entries at a time, whatever the dataset's size:
/// the shards are streamed a block at a time, like the views, and the log and the orphan files are checked block by block.
/// </summary>
public static class DatasetVerifier
{
    /// <summary>Verifies <paramref name="dataset"/>. With <paramref name="checksums"/> false, the SHA-256 pass (a full read) is skipped.</summary>
    public static Task<VerifyReport> VerifyAsync(Dataset dataset, bool checksums = true, IProgress<ShardCheck>? progress = null, CancellationToken ct = default) =>
        VerifyAsync(dataset, checksums, progress, new VerifyRead(), ct);

    /// <summary><see cref="VerifyAsync(Dataset,bool,IProgress{ShardCheck}?,CancellationToken)"/>, counting what it holds in <paramref name="read"/>.</summary>
    internal static async Task<VerifyReport> VerifyAsync(Dataset dataset, bool checksums, IProgress<ShardCheck>? progress, VerifyRead read, CancellationToken ct)
    {
        DatasetManifest? metadata;
        CommitLogSnapshot snapshot;
        try
        {
            metadata = await dataset.ReadMetadataAsync(ct);
            if (metadata is null) return new VerifyReport(dataset.Name, $"no {ShardNames.ManifestFile} under {dataset.Storage.RootUri}/{dataset.Prefix}", [], 0, []);
            snapshot = await CommitLogReader.For(dataset).ReadAsync(dataset, metadata.CommitIncarnation, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new VerifyReport(dataset.Name, $"manifest unreadable: {e.Message}", [], 0, []);
        }

        var log = await CommitLogVerifier.VerifyAsync(dataset, metadata.CommitIncarnation, read, ct);
        var bad = new List<ShardCheck>();
        long shardsChecked = 0;
        var unusualPaths = new HashSet<string>(StringComparer.Ordinal);
        var streamed = new CommitStreamRead();
        try
        {
            await foreach (var entry in CommitLogStream.ReadAsync(dataset, metadata, snapshot, streamed, ct))
            {
                DatasetOrphans.NoteUnusualPaths(entry, unusualPaths);
                var check = await CheckShardAsync(dataset, entry, checksums, ct);
                shardsChecked++;
                if (!check.Ok) bad.Add(check);
                progress?.Report(check);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // An entry that cannot be read back (its commit object gone since the poll): what a whole-manifest read reports.
            return new VerifyReport(dataset.Name, $"manifest unreadable: {e.Message}", bad, shardsChecked, []);
        }
        read.Holding(streamed.MaxEntriesHeld);
        var problem = log.Problems.Count == 0 ? null : $"commit log: {string.Join("; ", log.Problems)}";
        return new VerifyReport(dataset.Name, problem, bad, shardsChecked,
            await DatasetOrphans.FindAsync(dataset, metadata, snapshot, log, unusualPaths, read, ct));
    }

    /// <summary>
    /// Checks one listed shard (what <see cref="VerifyAsync(Dataset,bool,IProgress{ShardCheck}?,CancellationToken)"/> does for each): stages that must not start on bad
    /// input call this on just the shards they will read. Without <paramref name="checksums"/> it reads only the
    /// file's size and Parquet footer, which is what catches truncation.
    /// </summary>
    public static async Task<ShardCheck> CheckShardAsync(Dataset dataset, ShardEntry entry, bool checksums, CancellationToken ct = default)
    {
        var key = dataset.KeyOf(entry.Path);
        ShardCheck Bad(string problem, long? rows = null, long? bytes = null) => new(entry.Kind, entry.Index, entry.Path, problem, rows, bytes);
        try
        {
            var info = await dataset.Storage.GetInfoAsync(key, ct);
            if (info is null) return Bad("missing: the file is not in storage");
            if (info.Size == 0) return Bad("zero-byte file", bytes: 0);
            if (info.Size != entry.Bytes) return Bad($"size {info.Size} B, manifest says {entry.Bytes} B (truncated or replaced)", bytes: info.Size);

            long rows;
            try
            {
                if (entry.Kind == ShardNames.ImagesKind)
                {
                    await using var reader = await ImageShardReader.OpenAsync(dataset.Storage, key, ct);
                    rows = reader.RowCount;
                }
                else
                {
                    await using var reader = await MaskShardReader.OpenAsync(dataset.Storage, key, ct);
                    rows = reader.RowCount;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return Bad($"unreadable Parquet: {Describe(e)}", bytes: info.Size);
            }
            if (rows != entry.Rows) return Bad($"footer says {rows} rows, manifest says {entry.Rows}", rows, info.Size);

            if (checksums)
            {
                var sha = await ShardChecksum.ComputeAsync(dataset.Storage, key, ct);
                if (!string.Equals(sha, entry.Sha256, StringComparison.OrdinalIgnoreCase))
                    return Bad($"SHA-256 {sha[..12]}… differs from manifest {entry.Sha256[..Math.Min(12, entry.Sha256.Length)]}…; " +
                        await FindDamagedRowGroupAsync(dataset, entry, ct), rows, info.Size);
            }
            foreach (var sidecar in new[] { entry.StatsPath, entry.FailuresPath })
                if (sidecar is not null && await dataset.Storage.GetInfoAsync(dataset.KeyOf(sidecar), ct) is null)
                    return Bad($"missing sidecar {sidecar}", rows, info.Size);
            return new ShardCheck(entry.Kind, entry.Index, entry.Path, null, rows, info.Size);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Bad($"cannot check: {Describe(e)}");
        }
    }

    /// <summary>
    /// Where a file whose footer reads but whose bytes changed is damaged: the first row group that does not decode,
    /// or that every one decodes (the change is inside values, e.g. image bytes). Read only for a checksum mismatch,
    /// so a sound dataset costs no extra decode.
    /// </summary>
    private static async Task<string> FindDamagedRowGroupAsync(Dataset dataset, ShardEntry entry, CancellationToken ct)
    {
        var key = dataset.KeyOf(entry.Path);
        try
        {
            if (entry.Kind == ShardNames.ImagesKind)
            {
                await using var reader = await ImageShardReader.OpenAsync(dataset.Storage, key, ct);
                for (var g = 0; g < reader.RowGroupCount; g++) await reader.ReadRowGroupAsync(g, ImageColumns.All, ct);
                return $"all {reader.RowGroupCount} row group(s) decode: the change is inside values";
            }
            await using var masks = await MaskShardReader.OpenAsync(dataset.Storage, key, ct);
            for (var g = 0; g < masks.RowGroupCount; g++) await masks.ReadRowGroupAsync(g, includeMask: true, ct);
            return $"all {masks.RowGroupCount} row group(s) decode: the change is inside values";
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Describe(e);
        }
    }

    // The reader's message names the full key already; keep the innermost cause short.
    private static string Describe(Exception e) => UnreadableShardException.Describe(e);
}
