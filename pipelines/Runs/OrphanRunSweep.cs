using Hangfire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SSeg.Pipelines.Jobs;

namespace SSeg.Pipelines.Runs;

/// <summary>
/// At host start, fails every run still "running" that no job is alive for (enqueued, scheduled, processing or
/// awaiting, on any queue and any host) and that is older than a minute: such a run would otherwise stay running for good, e.g. after its jobs were
/// deleted by hand or its storage restored. Runs with any live job are left to their barrier.
/// </summary>
public sealed class OrphanRunSweep(RunStore runs, JobStorage storage, ILogger<OrphanRunSweep> log) : IHostedService
{
    private const int PageSize = 1000;

    /// <summary>A run this young may be between its record and its first job being stored (PipelineEngine.Start); left alone.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(1);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            Sweep();
        }
        catch (Exception e)
        {
            // The sweep tidies; a host must still start when the storage refuses a listing.
            log.LogWarning("Start-up sweep of running runs skipped: {Error}", e.Message);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Fails the orphaned runs; returns their ids.</summary>
    public IReadOnlyList<string> Sweep()
    {
        var running = runs.List(int.MaxValue).Where(r => r.Status == RunStatus.Running && r.Created < DateTime.UtcNow - Grace).ToList();
        if (running.Count == 0) return [];
        var alive = RunsWithLiveJobs();
        var failed = new List<string>();
        foreach (var run in running.Where(r => !alive.Contains(r.Id)))
        {
            using var _ = runs.Lock(run.Id);
            var current = runs.Get(run.Id);
            if (current?.Status != RunStatus.Running) continue;
            var stage = Enumerable.Range(0, current.Definition.Stages.Count).FirstOrDefault(i => current.StageStatus(i) == RunStatus.Running,
                Enumerable.Range(0, current.Definition.Stages.Count).FirstOrDefault(i => current.StageStatus(i) == RunStatus.Pending));
            runs.Set(run.Id, RunStore.FailureFields(stage,
                "no job of this run was alive when a host started (its jobs were deleted or lost); rerun it from the failed stage"));
            log.LogWarning("Run {RunId} was running with no live job; marked failed at stage {Stage}", run.Id, stage);
            failed.Add(run.Id);
        }
        return failed;
    }

    private HashSet<string> RunsWithLiveJobs()
    {
        var monitoring = storage.GetMonitoringApi();
        using var connection = storage.GetConnection();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        void Add(string jobId, Hangfire.Common.Job? job)
        {
            if (job?.Type != typeof(StageJobs)) return;
            var runId = job.Method.Name == nameof(StageJobs.RunShardAsync) ? job.Args.ElementAtOrDefault(2) : job.Args.ElementAtOrDefault(0);
            if (runId is not string id || ids.Contains(id)) return;
            // Listings may lag the state (a queue keeps a deleted job's entry until it is fetched); the state decides.
            if (connection.GetStateData(jobId)?.Name is "Enqueued" or "Scheduled" or "Processing" or "Awaiting") ids.Add(id);
        }
        foreach (var queue in monitoring.Queues())
            for (var from = 0; from < queue.Length; from += PageSize)
                foreach (var job in monitoring.EnqueuedJobs(queue.Name, from, PageSize)) Add(job.Key, job.Value?.Job);
        Page(monitoring.ScheduledCount(), (from, n) => monitoring.ScheduledJobs(from, n).Select(j => (j.Key, j.Value?.Job)), Add);
        Page(monitoring.ProcessingCount(), (from, n) => monitoring.ProcessingJobs(from, n).Select(j => (j.Key, j.Value?.Job)), Add);
        if (monitoring is Hangfire.Storage.JobStorageMonitor awaiting) // continuations; older storages do not list them
            Page(awaiting.AwaitingCount(), (from, n) => awaiting.AwaitingJobs(from, n).Select(j => (j.Key, j.Value?.Job)), Add);
        return ids;
    }

    private static void Page(long count, Func<int, int, IEnumerable<(string Id, Hangfire.Common.Job? Job)>> read, Action<string, Hangfire.Common.Job?> add)
    {
        for (var from = 0; from < count; from += PageSize)
            foreach (var (id, job) in read(from, PageSize)) add(id, job);
    }
}
