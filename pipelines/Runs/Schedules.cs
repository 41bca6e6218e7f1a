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
        DateTime? NextExecution, DateTime? LastExecution, string? LastJobId, string? Error);

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
        return [];
    }

    public void Delete(string name) => manager.RemoveIfExists(IdFor(name));

    /// <summary>Fires the schedule now (a normal run; unchanged stages are skipped).</summary>
    public bool Trigger(string name)
    {
        if (Find(name) is null) return false;
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
