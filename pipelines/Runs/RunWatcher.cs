namespace SSeg.Pipelines.Runs;

/// <summary>Polls a run until it ends, printing one line per stage state change.</summary>
public static class RunWatcher
{
    public static async Task<RunRecord> WaitAsync(RunStore runs, string runId, TextWriter output, CancellationToken ct, TimeSpan? timeout = null)
    {
        var printed = new Dictionary<int, string>();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromDays(365));
        while (true)
        {
            var run = runs.Get(runId) ?? throw new InvalidOperationException($"Run {runId} does not exist.");
            for (var i = 0; i < run.Definition.Stages.Count; i++)
            {
                var status = run.StageStatus(i);
                var line = status switch
                {
                    RunStatus.Running => run.StageShards(i) is > 0 and var n ? $"running ({n} job(s))" : "running",
                    RunStatus.Pending => null,
                    _ => run.StageSummary(i) is { } s ? (s.StartsWith(status, StringComparison.Ordinal) ? s : $"{status}: {s}") : status,
                };
                if (line is null || printed.GetValueOrDefault(i) == line) continue;
                printed[i] = line;
                await output.WriteLineAsync($"  [{i + 1}/{run.Definition.Stages.Count}] {run.Definition.Stages[i].Stage,-16} {line}");
            }
            if (RunStatus.IsFinal(run.Status))
            {
                await output.WriteLineAsync($"Run {runId} {run.Status}" + (run.Message is { } m ? $": {m}" : "."));
                return run;
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Run {runId} did not finish in time (status {run.Status}).");
            await Task.Delay(500, ct);
        }
    }
}
