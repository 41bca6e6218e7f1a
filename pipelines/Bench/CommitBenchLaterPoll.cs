using System.Diagnostics;
using SSeg.Shards;
using SSeg.Shards.Storage;

namespace SSeg.Pipelines.Bench;

/// <summary>
/// What a barrier poll costs once the benchmark's commits are old, as they are for most of a real run. The poller's
/// clock is moved a sweep period and a minute past the run: first the dataset's sweep (a listing of every name, what
/// every poll cost before the journal; one reader per dataset every <see cref="Dataset.SweepPeriod"/>), then a few new
/// commits and the next poll half a minute later, which lists the journal's minute logs and reads only the new minute's.
/// </summary>
internal static class CommitBenchLaterPoll
{
    private const int NewCommits = 10;

    public static async Task<string> RunAsync(IStorage storage, string dataset, int firstNewShard, CancellationToken ct)
    {
        // Past the dataset's sweep period since the run's last sweep whatever the run's length, and in a minute of its
        // own, so the new commits go to a new minute log.
        var shift = Dataset.SweepPeriod + TimeSpan.FromMinutes(11);
        var clock = new ShiftedClock { Shift = shift };
        var ds = new DatasetStore(storage, clock).Dataset(dataset);
        var timer = Stopwatch.StartNew();
        await ds.ReadIndexAsync(ct);
        var (full, fullMs) = (ds.LastCommitLogRead!, timer.Elapsed.TotalMilliseconds);

        clock.Shift = shift + TimeSpan.FromMinutes(0.5);
        var image = new byte[256];
        for (var i = 0; i < NewCommits; i++) await CommitBenchCommitter.CommitOneRowShardAsync(ds, firstNewShard + i, image, ct);
        clock.Shift = shift + TimeSpan.FromMinutes(1);
        timer.Restart();
        await ds.ReadIndexAsync(ct);
        var (poll, pollMs) = (ds.LastCommitLogRead!, timer.Elapsed.TotalMilliseconds);
        return $"poll after the run (poller clock moved {shift.TotalMinutes:F0}-{shift.TotalMinutes + 1:F0} min on): {full.SweptSlice switch { null => "NOT a sweep", "" => "the dataset's sweep", var slice => $"a step of the dataset's sweep ({slice})" }}: {full.NamesListed} names, " +
               $"{fullMs:F0} ms; {NewCommits} commits later the next poll {(poll.FullListing ? "(full listing)" : "(journal)")} {poll.NamesListed} names in " +
               $"{poll.ListCalls} list calls, {poll.JournalLogsRead} minute log(s) read ({poll.JournalBytesRead} bytes), {poll.ObjectsRead} commit objects fetched, {pollMs:F0} ms";
    }

    /// <summary>The system clock moved forward by <see cref="Shift"/>.</summary>
    private sealed class ShiftedClock : TimeProvider
    {
        public TimeSpan Shift { get; set; }
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Shift;
    }
}
