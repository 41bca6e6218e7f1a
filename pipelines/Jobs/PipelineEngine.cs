using Hangfire;
using Microsoft.Extensions.Logging;
using SSeg.Pipelines.Hosting;
using SSeg.Pipelines.Runs;

namespace SSeg.Pipelines.Jobs;

/// <summary>
/// Validates pipeline definitions and starts runs: a run is a chain of stages; each stage fans out into shard
/// jobs and a barrier job that enqueues the next stage once the output lists every shard.
/// </summary>
public sealed class PipelineEngine(RunStore runs, StageRegistry stages, IBackgroundJobClient jobs, HostSettings settings, ILogger<PipelineEngine> log)
{
    public HostSettings Settings => settings;

    /// <summary>
    /// Every problem of a definition (unknown stage, bad options), each naming the stage; empty when valid.
    /// <paramref name="origin"/> decides whether option values may be paths (OptionValue).
    /// </summary>
    public IReadOnlyList<string> Validate(PipelineDefinition definition, OptionOrigin origin)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(definition.Name)) errors.Add("pipeline 'name' is required");
        else if (definition.Name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            errors.Add($"pipeline name '{definition.Name}' may only use letters, digits, '-', '_' and '.'");
        if (definition.Cron is { } cron && !CronIsValid(cron)) errors.Add($"cron '{cron}' is not a valid cron expression");
        if (definition.Stages.Count == 0) errors.Add("a pipeline needs at least one stage");
        for (var i = 0; i < definition.Stages.Count; i++)
        {
            var stage = definition.Stages[i];
            var adapter = stages.Find(stage.Stage);
            if (adapter is null)
            {
                errors.Add($"stages[{i}]: unknown stage '{stage.Stage}' (known: {string.Join(", ", stages.All.Select(a => a.Name))})");
                continue;
            }
            var known = adapter.Options.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var key in stage.Options.Keys.Where(k => !known.Contains(k)))
                errors.Add($"stages[{i}] ({adapter.Name}): unknown option '{key}' (known: {string.Join(", ", known)})");
            foreach (var option in adapter.Options.Where(o => o.Required && string.IsNullOrWhiteSpace(stage.Options.GetValueOrDefault(o.Name)) && o.Default is null))
                errors.Add($"stages[{i}] ({adapter.Name}): option '{option.Name}' is required");
            var context = ContextFor("validate", definition, i, origin);
            var refused = new List<string>();
            foreach (var option in adapter.Options.Where(o => o.Kind != OptionKind.Text && context.Get(o.Name) is not null))
            {
                try { OptionValue.Resolve(context, option.Name, option.Kind); }
                catch (StageOptionException e) { refused.Add(e.Message); }
            }
            errors.AddRange(refused.Select(e => $"stages[{i}] ({adapter.Name}): {e}"));
            // The adapter's own checks look at files; a refused value must not reach them (they would probe its path).
            if (refused.Count > 0) continue;
            try
            {
                errors.AddRange(adapter.Validate(context).Select(e => $"stages[{i}] ({adapter.Name}): {e}"));
            }
            catch (StageOptionException e)
            {
                errors.Add($"stages[{i}] ({adapter.Name}): {e.Message}");
            }
        }
        return errors;
    }

    /// <summary>A shape check (5 or 6 fields of cron characters); Hangfire's parser has the last word when scheduling.</summary>
    public static bool CronIsValid(string cron)
    {
        var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length is 5 or 6 && fields.All(f => f.All(c => char.IsAsciiLetterOrDigit(c) || c is '*' or ',' or '/' or '-' or '?' or '#'));
    }

    /// <summary>Validates and enqueues a run; returns its id. Throws PipelineDefinitionException listing the errors.</summary>
    public string Start(PipelineDefinition definition, string trigger, OptionOrigin origin)
    {
        var errors = Validate(definition, origin);
        if (errors.Count > 0) throw new PipelineDefinitionException(string.Join("\n", errors));
        var runId = RunStore.NewRunId();
        runs.Create(runId, definition, trigger, origin);
        jobs.Enqueue<StageJobs>(j => j.StartStageAsync(runId, 0, CancellationToken.None));
        log.LogInformation("Run {RunId} of pipeline {Pipeline} started by {Trigger} with {Stages} stage(s)",
            runId, definition.Name, trigger, definition.Stages.Count);
        return runId;
    }

    /// <summary>Fills defaults for options the definition leaves out.</summary>
    public StageContext ContextFor(string runId, PipelineDefinition definition, int stageIndex, OptionOrigin origin)
    {
        var stage = definition.Stages[stageIndex];
        var adapter = stages.Find(stage.Stage);
        var options = new Dictionary<string, string>(stage.Options, StringComparer.Ordinal);
        if (adapter is not null)
            foreach (var option in adapter.Options)
                if (option.Default is not null && string.IsNullOrWhiteSpace(options.GetValueOrDefault(option.Name)))
                    options[option.Name] = option.Default;
        return new StageContext(runId, definition.Name, stageIndex, options, settings.Storage.Root, settings.Storage.AzureConnectionString)
        {
            Origin = origin,
            AllowedModelFolders = settings.Dashboard.AllowedModelFolders,
        };
    }
}
