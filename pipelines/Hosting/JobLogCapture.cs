using Hangfire.Server;
using Microsoft.Extensions.Logging;
using SSeg.Pipelines.Runs;

namespace SSeg.Pipelines.Hosting;

/// <summary>
/// Captures what a job logs into its own log (JobLogs): a server filter marks the job being performed on the
/// current async flow, and a logger provider copies the lines logged on that flow. The filter is process-wide
/// (Hangfire's filters are static) and holds no host state; each host's provider writes to its own storage.
/// </summary>
public sealed class JobLogCapture : IServerFilter
{
    private static int _registered;
    private static readonly AsyncLocal<JobScope?> Current = new();

    private sealed class JobScope(string jobId)
    {
        public string JobId => jobId;
        public int Lines;
    }

    /// <summary>Adds the filter to Hangfire's global filters once per process.</summary>
    public static void RegisterOnce()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0) Hangfire.GlobalJobFilters.Filters.Add(new JobLogCapture());
    }

    public void OnPerforming(PerformingContext context) => Current.Value = new JobScope(context.BackgroundJob.Id);

    public void OnPerformed(PerformedContext context) => Current.Value = null;

    /// <summary>Writes the lines of the job on the current flow (Information and above) to <paramref name="logs"/>.</summary>
    public sealed class Provider(JobLogs logs) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(logs);

        public void Dispose() { }
    }

    private sealed class Logger(JobLogs logs) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information && Current.Value is not null;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel) || Current.Value is not { } job) return;
            var n = Interlocked.Increment(ref job.Lines);
            if (n > JobLogs.MaxLinesPerJob + 1) return;
            var message = n == JobLogs.MaxLinesPerJob + 1
                ? $"(further lines not kept: at most {JobLogs.MaxLinesPerJob} per job)"
                : formatter(state, exception) + (exception is null ? "" : $" — {exception.GetType().Name}: {exception.Message}");
            try
            {
                logs.Append(job.JobId, new JobLogLine(DateTime.UtcNow, logLevel.ToString(), message));
            }
            catch (Exception)
            {
                // The job log is a view; a storage hiccup while writing it must not fail the job.
            }
        }
    }
}
