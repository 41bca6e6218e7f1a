namespace SSeg.Pipelines.Runs;

/// <summary>
/// The names of a pipeline run's per-stage fields in the job storage (one hash per run). Every reader and writer of
/// run state builds the names here, so a field cannot be written under one spelling and read under another.
/// </summary>
public static class RunFields
{
    public static string Status(int stage) => Stage(stage, "status");
    public static string Summary(int stage) => Stage(stage, "summary");
    public static string Started(int stage) => Stage(stage, "started");
    public static string Finished(int stage) => Stage(stage, "finished");
    /// <summary>How many shard jobs the stage planned.</summary>
    public static string Shards(int stage) => Stage(stage, "shards");
    /// <summary>"false" for a stage that runs as one job (train, eval), "true" otherwise.</summary>
    public static string Sharded(int stage) => Stage(stage, "sharded");
    /// <summary>The stage's input fingerprint, the next stage's upstream.</summary>
    public static string Fingerprint(int stage) => Stage(stage, "fingerprint");
    /// <summary>The Hangfire job ids of the stage, comma-separated.</summary>
    public static string Jobs(int stage) => Stage(stage, "jobs");
    /// <summary>One shard job's progress line.</summary>
    public static string Shard(int stage, int shard) => $"stage:{stage}:shard:{shard}";

    private static string Stage(int stage, string name) => $"stage:{stage}:{name}";
}
