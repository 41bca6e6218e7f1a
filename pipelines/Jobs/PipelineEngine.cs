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
    public IReadOnlyList<string> Validate(PipelineDefinition definition, OptionOrigin origin) =>
        ValidateOptions(definition, origin).Select(e => e.Message).ToList();

    /// <summary>
    /// As <see cref="Validate"/>, with the stage and option each problem belongs to (the Run form shows a refused value
    /// next to its field). Every declared option is checked against its declaration (type, range, allowed values,
    /// required) and its path kind before the adapter's own checks, which look at files and so only see accepted values.
    /// </summary>
    public IReadOnlyList<OptionError> ValidateOptions(PipelineDefinition definition, OptionOrigin origin)
    {
        var errors = new List<OptionError>();
        void Add(string message) => errors.Add(new OptionError(null, null, message));
        if (string.IsNullOrWhiteSpace(definition.Name)) Add("pipeline 'name' is required");
        else if (definition.Name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            Add($"pipeline name '{definition.Name}' may only use letters, digits, '-', '_' and '.'");
        if (definition.Cron is { } cron && !CronIsValid(cron)) Add($"cron '{cron}' is not a valid cron expression");
        if (definition.Stages.Count == 0) Add("a pipeline needs at least one stage");
        for (var i = 0; i < definition.Stages.Count; i++)
        {
            var stage = definition.Stages[i];
            var adapter = stages.Find(stage.Stage);
            if (adapter is null)
            {
                Add($"stages[{i}]: unknown stage '{stage.Stage}' (known: {string.Join(", ", stages.All.Select(a => a.Name))})");
                continue;
            }
            var prefix = $"stages[{i}] ({adapter.Name}): ";
            var declared = adapter.Options.Where(o => o.InPipelines).ToList();
            var known = declared.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var key in stage.Options.Keys.Where(k => !known.Contains(k)))
                errors.Add(new OptionError(i, null, $"{prefix}unknown option '{key}' (known: {string.Join(", ", known)}; `options {adapter.Name}` lists them)"));
            var context = ContextFor("validate", definition, i, origin);
            var refusedValues = 0;
            foreach (var option in declared)
            {
                var given = stage.Options.GetValueOrDefault(option.Name);
                if (option.Refusal(given) is { } why)
                {
                    errors.Add(new OptionError(i, option.Name, $"{prefix}option '{option.Name}' {why}"));
                    if (!string.IsNullOrWhiteSpace(given)) refusedValues++;
                }
                else if (option.Kind != OptionKind.Text && context.Get(option.Name) is not null)
                {
                    try { OptionValue.Resolve(context, option.Name, option.Kind); }
                    catch (StageOptionException e) { errors.Add(new OptionError(i, option.Name, prefix + e.Message)); refusedValues++; }
                }
            }
            // The adapter's own checks look at files; a refused value must not reach them (they would probe its path).
            if (refusedValues > 0) continue;
            List<string> own;
            try { own = adapter.Validate(context).ToList(); }
            catch (StageOptionException e) { own = [e.Message]; }
            foreach (var message in own.Select(e => prefix + e).Distinct())
                if (errors.All(e => e.Message != message)) errors.Add(new OptionError(i, null, message));
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
            foreach (var option in adapter.Options.Where(o => o.InPipelines))
                if (option.Default is not null && string.IsNullOrWhiteSpace(options.GetValueOrDefault(option.Name)))
                    options[option.Name] = option.Default;
        return new StageContext(runId, definition.Name, stageIndex, options, settings.Storage.Root, settings.Storage.AzureConnectionString)
        {
            Origin = origin,
            AllowedModelFolders = settings.Dashboard.AllowedModelFolders,
        };
    }
}

/// <summary>One validation problem: the stage index and option key it belongs to (null when it is about the whole
/// definition or several options) and the message, which names the stage and the option.</summary>
public sealed record OptionError(int? Stage, string? Option, string Message);
