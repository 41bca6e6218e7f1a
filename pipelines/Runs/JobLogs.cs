using System.Globalization;
using Hangfire;

namespace SSeg.Pipelines.Runs;

/// <summary>One log line a job wrote while it ran.</summary>
public sealed record JobLogLine(DateTime TimeUtc, string Level, string Message);

/// <summary>
/// The log lines of each job, kept in the Hangfire job storage (one list per job), so the run page of any host
/// shows what a job on any other host logged. Capped per job: a chatty stage must not fill the job storage.
/// </summary>
public sealed class JobLogs(JobStorage storage)
{
    /// <summary>Lines kept per job; later ones are counted in one closing line.</summary>
    public const int MaxLinesPerJob = 500;

    private static string Key(string jobId) => $"sseg:log:{jobId}";

    public void Append(string jobId, JobLogLine line)
    {
        var text = string.Join('\t', line.TimeUtc.ToString("O", CultureInfo.InvariantCulture), line.Level, line.Message);
        using var connection = storage.GetConnection();
        using var transaction = connection.CreateWriteTransaction();
        transaction.InsertToList(Key(jobId), text);
        transaction.Commit();
    }

    /// <summary>The job's lines, oldest first (storages differ in list order, so they are sorted by time).</summary>
    public IReadOnlyList<JobLogLine> Read(string jobId)
    {
        using var connection = storage.GetConnection();
        var items = connection is Hangfire.Storage.JobStorageConnection lists ? lists.GetAllItemsFromList(Key(jobId)) : [];
        return items.Select(Parse).OfType<JobLogLine>()
            .OrderBy(l => l.TimeUtc).ToList();
    }

    private static JobLogLine? Parse(string text)
    {
        var parts = text.Split('\t', 3);
        return parts.Length == 3 && DateTime.TryParse(parts[0], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time)
            ? new JobLogLine(time, parts[1], parts[2])
            : null;
    }
}
