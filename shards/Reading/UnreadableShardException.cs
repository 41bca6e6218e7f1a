namespace SSeg.Shards;

/// <summary>
/// A committed shard whose file cannot be read as Parquet (truncated, replaced, corrupt footer, a damaged row group:
/// the reason then starts with "row group N of M"). Carries the
/// shard's kind, index and file so that a stage can report the bad unit and go on with the others; the message says
/// all three and the reader's error, so a failed Hangfire job shows it as is.
/// </summary>
public sealed class UnreadableShardException(string kind, int index, string path, string reason, Exception? inner = null)
    : IOException($"{kind} shard {index} ({path}) is unreadable: {reason}", inner)
{
    public string Kind { get; } = kind;
    public int Index { get; } = index;
    public string Path { get; } = path;
    public string Reason { get; } = reason;

    /// <summary>The reader's message, with the innermost cause appended when the message does not already say it.</summary>
    public static string Describe(Exception e)
    {
        var message = e.Message;
        var inner = e.InnerException;
        while (inner?.InnerException is not null) inner = inner.InnerException;
        return inner is null || message.Contains(inner.Message, StringComparison.Ordinal) ? message : $"{message} ({inner.Message})";
    }
}
