namespace SSeg.Pipelines.Jobs;

/// <summary>
/// How a shard job of a rebuild says what it did, in its progress note: kept an unchanged shard, or rebuilt a changed
/// one as its next version. The barrier counts the two for the stage summary.
/// </summary>
public static class ShardRebuildNotes
{
    public const string Unchanged = "skipped: unchanged";
    public const string Rebuilt = "rebuilt";

    /// <summary>"; 4 shard(s) unchanged (skipped), 1 rebuilt" or "" when the stage rebuilt nothing over kept output.</summary>
    public static string Summarize(IEnumerable<string?> shardFields)
    {
        int unchanged = 0, rebuilt = 0;
        foreach (var field in shardFields)
        {
            if (field is null) continue;
            if (field.Contains($"({Unchanged}", StringComparison.Ordinal)) unchanged++;
            else if (field.Contains($"({Rebuilt}", StringComparison.Ordinal)) rebuilt++;
        }
        return unchanged + rebuilt == 0 ? "" : $"; {unchanged} shard(s) unchanged (skipped), {rebuilt} rebuilt";
    }
}
