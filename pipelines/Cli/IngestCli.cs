using System.CommandLine;
using SSeg.Pipelines.Cli.Ingest;

namespace SSeg.Pipelines.Cli;

public static class IngestCli
{
    /// <summary>`ingest --source cc3m=PATH ... --dataset NAME [--root ROOT] [--shards a-b] [--retry-failed] ...`</summary>
    public static Command Create() => IngestCommand.Create();
}
