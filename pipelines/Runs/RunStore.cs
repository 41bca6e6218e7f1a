using System.Globalization;
using Hangfire;
using Hangfire.Storage;

namespace SSeg.Pipelines.Runs;

/// <summary>
/// Pipeline runs and their per-stage state, kept in the Hangfire job storage (hash per run, set of run ids),
/// so every host sharing that storage sees the same runs.
/// </summary>
public sealed class RunStore(JobStorage storage)
{
    private const string RunsSet = "sseg:runs";
    internal static string RunKey(string runId) => $"sseg:run:{runId}";
    private static string LedgerKey(string pipeline) => $"sseg:ledger:{pipeline}";

    public static string NewRunId() =>
        $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}";

    public void Create(string runId, PipelineDefinition definition, string trigger, Jobs.OptionOrigin origin)
    {
        var fields = new Dictionary<string, string>
        {
            ["definition"] = definition.ToJson(),
            ["pipeline"] = definition.Name,
            ["trigger"] = trigger,
            ["origin"] = origin.ToString(),
            ["created"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["status"] = RunStatus.Running,
        };
        for (var i = 0; i < definition.Stages.Count; i++) fields[RunFields.Status(i)] = RunStatus.Pending;
        using var connection = storage.GetConnection();
        using var transaction = connection.CreateWriteTransaction();
        transaction.SetRangeInHash(RunKey(runId), fields);
        transaction.AddToSet(RunsSet, runId, DateTime.UtcNow.Ticks / 1e7);
        transaction.Commit();
    }

    public void Set(string runId, params (string Field, string Value)[] fields)
    {
        using var connection = storage.GetConnection();
        using var transaction = connection.CreateWriteTransaction();
        transaction.SetRangeInHash(RunKey(runId), fields.Select(f => new KeyValuePair<string, string>(f.Field, f.Value)));
        transaction.Commit();
    }

    /// <summary>The fields that mark a stage and its run failed with <paramref name="message"/> (shown on the run page).</summary>
    public static (string Field, string Value)[] FailureFields(int stageIndex, string message) =>
    [
        (RunFields.Status(stageIndex), RunStatus.Failed),
        (RunFields.Summary(stageIndex), message),
        ("status", RunStatus.Failed),
        ("message", message),
        ("finished", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture)),
    ];

    public RunRecord? Get(string runId)
    {
        using var connection = storage.GetConnection();
        var hash = connection.GetAllEntriesFromHash(RunKey(runId));
        return hash is null || !hash.ContainsKey("definition") ? null : new RunRecord(runId, hash);
    }

    /// <summary>Most recent runs first.</summary>
    public IReadOnlyList<RunRecord> List(int max = 50)
    {
        using var connection = storage.GetConnection();
        var runs = new List<RunRecord>();
        foreach (var id in connection.GetAllItemsFromSet(RunsSet))
        {
            var hash = connection.GetAllEntriesFromHash(RunKey(id));
            if (hash is not null && hash.ContainsKey("definition")) runs.Add(new RunRecord(id, hash));
        }
        return runs.OrderByDescending(r => r.Created).ThenByDescending(r => r.Id, StringComparer.Ordinal).Take(max).ToList();
    }

    /// <summary>Serializes state changes of one run across hosts (stage start, barrier advance).</summary>
    public IDisposable Lock(string runId)
    {
        var connection = storage.GetConnection();
        try
        {
            var handle = connection.AcquireDistributedLock($"sseg:lock:{runId}", TimeSpan.FromSeconds(60));
            return new LockHandle(handle, connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Fingerprint of the last successful build of a pipeline's stage (for skip-unchanged).</summary>
    public string? GetLedger(string pipeline, string stageKey)
    {
        using var connection = storage.GetConnection();
        return connection.GetAllEntriesFromHash(LedgerKey(pipeline))?.GetValueOrDefault(stageKey);
    }

    public void SetLedger(string pipeline, string stageKey, string fingerprint)
    {
        using var connection = storage.GetConnection();
        using var transaction = connection.CreateWriteTransaction();
        transaction.SetRangeInHash(LedgerKey(pipeline), [new KeyValuePair<string, string>(stageKey, fingerprint)]);
        transaction.Commit();
    }

    private sealed class LockHandle(IDisposable handle, IDisposable connection) : IDisposable
    {
        public void Dispose()
        {
            handle.Dispose();
            connection.Dispose();
        }
    }
}

public static class RunStatus
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Skipped = "skipped";
    /// <summary>Stopped by an operator; final like failed, but nobody needs to look for an error.</summary>
    public const string Cancelled = "cancelled";

    public static bool IsFinal(string? status) => status is Succeeded or Failed or Cancelled;
}

/// <summary>A snapshot of one run's hash.</summary>
public sealed class RunRecord(string id, IReadOnlyDictionary<string, string> fields)
{
    public string Id => id;
    public IReadOnlyDictionary<string, string> Fields => fields;
    public PipelineDefinition Definition { get; } = PipelineDefinition.FromStoredJson(fields["definition"]);
    public string Status => Field("status") ?? RunStatus.Pending;
    /// <summary>The run's error; null when there is none (a retried run clears it to "").</summary>
    public string? Message => Field("message") is { Length: > 0 } message ? message : null;
    public string Pipeline => Field("pipeline") ?? "";
    public string Trigger => Field("trigger") ?? "";

    /// <summary>Who gave the options; runs stored before origins were recorded get the strict dashboard rule.</summary>
    public Jobs.OptionOrigin Origin =>
        Enum.TryParse<Jobs.OptionOrigin>(Field("origin"), out var origin) ? origin : Jobs.OptionOrigin.Dashboard;
    public DateTime Created => DateTime.Parse(Field("created") ?? "2000-01-01", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    public string? Field(string name) => fields.TryGetValue(name, out var value) ? value : null;
    public string StageStatus(int stage) => Field(RunFields.Status(stage)) ?? RunStatus.Pending;
    public string? StageSummary(int stage) => Field(RunFields.Summary(stage));
    public int StageShards(int stage) => int.TryParse(Field(RunFields.Shards(stage)), out var n) ? n : 0;
    public IReadOnlyList<string> StageJobs(int stage) =>
        (Field(RunFields.Jobs(stage)) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
    public string? ShardProgress(int stage, int shard) => Field(RunFields.Shard(stage, shard));
    public DateTime? StageStarted(int stage) => Time(Field(RunFields.Started(stage)));
    public DateTime? StageFinished(int stage) => Time(Field(RunFields.Finished(stage)));
    public DateTime? Finished => Time(Field("finished"));

    private static DateTime? Time(string? text) =>
        DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time) ? time.ToUniversalTime() : null;
}
