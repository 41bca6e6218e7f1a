using System.CommandLine;

namespace SSeg.Pipelines.Cli;

public static class IngestCli
{
    public static Command Create()
    {
        var command = new Command("ingest", "Download image-text pairs from CC3M/CC12M/RedCaps manifests into image shards.");
        return command;
    }

    /// <summary>The `bench ingest` subcommand, or null while there is none.</summary>
    public static Command? CreateBench() => null;
}
