using System.CommandLine;

namespace SSeg.Pipelines.Cli;

public static class ShardsCli
{
    public static Command Create()
    {
        var command = new Command("shards", "Inspect, verify and export shard datasets.");
        return command;
    }

    /// <summary>The `bench shards` subcommand, or null while there is none.</summary>
    public static Command? CreateBench() => null;
}
