using System.ComponentModel;
using Hangfire;
using Hangfire.Storage;
using SSeg.Pipelines.Jobs;

namespace SSeg.Pipelines.Runs;

/// <summary>
/// Rebuild schedules: one Hangfire recurring job per pipeline ("pipeline:NAME") whose argument is the
/// pipeline definition; each firing starts a run that skips stages whose inputs and config are unchanged.
/// </summary>
public sealed class Schedules(IRecurringJobManager manager, JobStorage storage, PipelineEngine engine)
{
    public const string Prefix = "pipeline:";

    public sealed record Schedule(string Id, string Name, string Cron, PipelineDefinition Definition,
        DateTime? NextExecution, DateTime? LastExecution, string? LastJobId, string? Error)
    {
        /// <summary>Paused: kept (with its origin) but not registered with Hangfire, so it does not fire.</summary>
        public bool Paused { get; init; }
    }

    private const string PausedSet = "sseg:schedules:paused";
    private static string PausedKey(string name) => $"sseg:schedule:paused:{name}";

    public static string IdFor(string pipelineName) => Prefix + pipelineName;

    /// <summary>
    /// Creates or updates the schedule of a definition (which must carry a cron). Returns errors, empty on success.
    /// The origin is stored with the schedule: its runs get the path rule of whoever saved it, not the scheduler's.
    /// </summary>
    public IReadOnlyList<string> Save(PipelineDefinition definition, OptionOrigin origin)
    {
        var errors = engine.Validate(definition, origin).ToList();
        if (string.IsNullOrWhiteSpace(definition.Cron)) errors.Add("a schedule needs a cron expression");
        if (errors.Count > 0) return errors;
        var json = definition.ToJson();
        try
        {
            manager.AddOrUpdate<PipelineJobs>(IdFor(definition.Name), j => j.RebuildAsync(json, origin.ToString()), definition.Cron!,
                new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
        }
        catch (ArgumentException e)
        {
            return [$"cron '{definition.Cron}': {e.Message}"];
        }
        ForgetPaused(definition.Name); // saving a paused schedule resumes it with the saved definition
        return [];
    }

    /// <summary>Removes the schedule, running or paused; false when there is none of that name.</summary>
    public bool Delete(string name)
    {
        var existed = Find(name) is not null;
        manager.RemoveIfExists(IdFor(name));
        ForgetPaused(name);
        return existed;
    }

    /// <summary>Stops the schedule firing, keeping its definition and origin to resume it; false when there is no such running schedule.</summary>
    public bool Pause(string name)
    {
        using var connection = storage.GetConnection();
        var job = connection.GetRecurringJobs().FirstOrDefault(j => j.Id == IdFor(name));
        if (job?.Job?.Args is not [string json, ..] args) return false;
        var origin = args is [_, string o] ? o : nameof(OptionOrigin.Dashboard);
        using (var transaction = connection.CreateWriteTransaction())
        {
            transaction.SetRangeInHash(PausedKey(name), [new("definition", json), new("origin", origin), new("cron", job.Cron)]);
            transaction.AddToSet(PausedSet, name);
            transaction.Commit();
        }
        manager.RemoveIfExists(IdFor(name));
        return true;
    }

    /// <summary>Registers a paused schedule again with its stored origin; errors, empty on success.</summary>
    public IReadOnlyList<string> Resume(string name)
    {
        using var connection = storage.GetConnection();
        var hash = connection.GetAllEntriesFromHash(PausedKey(name));
        if (hash is null || !hash.TryGetValue("definition", out var json)) return [$"no paused schedule named '{name}'"];
        var definition = PipelineDefinition.FromStoredJson(json);
        definition.Cron = hash.GetValueOrDefault("cron") ?? definition.Cron;
        var errors = Save(definition, Enum.TryParse<OptionOrigin>(hash.GetValueOrDefault("origin"), out var origin) ? origin : OptionOrigin.Dashboard);
        if (errors.Count == 0) ForgetPaused(name);
        return errors;
    }

    private void ForgetPaused(string name)
    {
        using var connection = storage.GetConnection();
        using var transaction = connection.CreateWriteTransaction();
        transaction.RemoveHash(PausedKey(name));
        transaction.RemoveFromSet(PausedSet, name);
        transaction.Commit();
    }

    /// <summary>Fires the schedule now (a normal run; unchanged stages are skipped).</summary>
    public bool Trigger(string name)
    {
        if (Find(name) is not { Paused: false }) return false;
        manager.Trigger(IdFor(name));
        return true;
    }

    public Schedule? Find(string name) => List().FirstOrDefault(s => s.Name == name);

    public IReadOnlyList<Schedule> List()
    {
        using var connection = storage.GetConnection();
        var result = new List<Schedule>();
        foreach (var job in connection.GetRecurringJobs().Where(j => j.Id.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            if (job.Job?.Args is not [string json, ..]) continue; // (definition) before origins were stored, (definition, origin) since
            PipelineDefinition definition;
            try { definition = PipelineDefinition.FromStoredJson(json); }
            catch (Exception) { continue; }
            result.Add(new Schedule(job.Id, job.Id[Prefix.Length..], job.Cron, definition, job.NextExecution, job.LastExecution, job.LastJobId, job.Error));
        }
        foreach (var name in connection.GetAllItemsFromSet(PausedSet))
        {
            var hash = connection.GetAllEntriesFromHash(PausedKey(name));
            if (hash is null || !hash.TryGetValue("definition", out var json) || result.Any(s => s.Name == name)) continue;
            PipelineDefinition definition;
            try { definition = PipelineDefinition.FromStoredJson(json); }
            catch (Exception) { continue; }
            result.Add(new Schedule(IdFor(name), name, hash.GetValueOrDefault("cron") ?? definition.Cron ?? "", definition, null, null, null, null) { Paused = true });
        }
        return result.OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
    }
}

/// <summary>The recurring job body: start a run of the stored definition.</summary>
public sealed class PipelineJobs(PipelineEngine engine)
{
    [Queue(Hosting.Queues.Control)]
    [AutomaticRetry(Attempts = 0)]
    [DisplayName("rebuild pipeline (scheduled)")]
    public Task<string> RebuildAsync(string definitionJson, string origin) =>
        Task.FromResult(engine.Start(PipelineDefinition.FromStoredJson(definitionJson), "schedule",
            Enum.TryParse<OptionOrigin>(origin, out var o) ? o : OptionOrigin.Dashboard));

    /// <summary>
    /// Schedules registered before origins were stored: the dashboard could save those too, so they get its strict
    /// rule; a schedule from a pipeline file with paths is re-registered by running the file again.
    /// </summary>
    [Queue(Hosting.Queues.Control)]
    [AutomaticRetry(Attempts = 0)]
    [DisplayName("rebuild pipeline (scheduled)")]
    public Task<string> RebuildAsync(string definitionJson) => RebuildAsync(definitionJson, nameof(OptionOrigin.Dashboard));
}
