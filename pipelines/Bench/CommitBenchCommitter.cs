using System.Diagnostics;
using System.Text.Json;
using SSeg.Shards;
using SSeg.Shards.Storage;

namespace SSeg.Pipelines.Bench;

/// <summary>What one committer process of <see cref="CommitBench"/> is told to do (passed as a JSON file).</summary>
internal sealed record CommitterRole(string Root, string? ConnectionString, string Dataset, int Committer, int Committers,
    int Commits, int DuplicateEvery, string ResultFile);

/// <summary>One shard attempt: when it finished (Unix µs), which shard, "committed", "already" or "skipped", and the
/// storage calls it made by kind (<see cref="CommitBenchTimedStorage.Kinds"/>).</summary>
internal sealed record CommitAttempt(long FinishedMicros, int Shard, string Outcome, IReadOnlyDictionary<string, StorageCallCost> Calls);

/// <summary>What a committer process reports back.</summary>
internal sealed record CommitterResult(IReadOnlyList<CommitAttempt> Attempts, int Retries, long PeakRssBytes);

/// <summary>
/// A committer process: commits one-row image shards the way ingest jobs do (skip if committed, write, commit),
/// taking shards i with i % committers == its number, plus every <see cref="CommitterRole.DuplicateEvery"/>-th shard of
/// the previous committer, so that two processes race on some shards (idempotent re-commit under contention).
/// </summary>
internal static class CommitBenchCommitter
{
    public static async Task<int> RunAsync(string roleFile, CancellationToken ct)
    {
        var role = JsonSerializer.Deserialize<CommitterRole>(await File.ReadAllBytesAsync(roleFile, ct))
            ?? throw new InvalidDataException($"{roleFile} is empty.");
        var storage = new CommitBenchTimedStorage(StorageFactory.Open(role.Root, role.ConnectionString));
        var ds = new DatasetStore(storage).Dataset(role.Dataset);
        var previous = (role.Committer + role.Committers - 1) % role.Committers;
        var shards = Enumerable.Range(0, role.Commits)
            .Where(i => i % role.Committers == role.Committer || (i % role.Committers == previous && i % role.DuplicateEvery == 0))
            .ToList();
        var attempts = new List<CommitAttempt>(shards.Count);
        var retries = 0;
        foreach (var shard in shards)
        {
            // The same bytes whichever process writes the shard, as a re-run of an ingest job would produce.
            var image = new byte[256];
            new Random(shard).NextBytes(image);
            var callsBefore = storage.Snapshot();
            while (true)
            {
                try
                {
                    string outcome;
                    if (await ds.IsCommittedAsync(shard, ct)) outcome = "skipped";
                    else outcome = (await CommitOneRowShardAsync(ds, shard, image, ct)).AlreadyCommitted ? "already" : "committed";
                    attempts.Add(new CommitAttempt(UnixMicros(), shard, outcome, CommitBenchTimedStorage.Between(callsBefore, storage.Snapshot())));
                    break;
                }
                catch (ConcurrentWriterException)
                {
                    retries++;   // another process published the same shard's file first: retry, which then finds its commit
                }
            }
        }
        using var self = Process.GetCurrentProcess();
        await File.WriteAllBytesAsync(role.ResultFile, JsonSerializer.SerializeToUtf8Bytes(new CommitterResult(attempts, retries, self.PeakWorkingSet64)), ct);
        return 0;
    }

    /// <summary>Writes and commits shard <paramref name="shard"/> with one row holding <paramref name="image"/>.</summary>
    public static async Task<ShardCommitResult> CommitOneRowShardAsync(Dataset ds, int shard, byte[] image, CancellationToken ct)
    {
        await using var writer = await ds.CreateImageShardWriterAsync(shard, ct: ct);
        await writer.AddAsync(new ImageRow(SampleKey.Format("bench", shard, 0), image, $"shard {shard}", [], [],
            $"https://example.invalid/{shard}.jpg", "bench", 8, 8, 8, 8, "", null), ct);
        writer.InputRows = 1;
        return await writer.CommitAsync(ct);
    }

    public static long UnixMicros() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;
}
