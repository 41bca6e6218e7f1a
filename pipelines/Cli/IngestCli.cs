using System.CommandLine;
using SSeg.Pipelines.Cli.Ingest;

namespace SSeg.Pipelines.Cli;

public static class IngestCli
{
    /// <summary>`ingest --source cc3m=PATH ... --dataset NAME [--root ROOT] [--shards a-b] [--retry-failed] ...`</summary>
    public static Command Create() => IngestCommand.Create();

    /// <summary>`bench ingest`: transform-only on one core, and end to end from a loopback server.</summary>
    public static Command? CreateBench() => IngestBench.Create();
}
