using System.CommandLine;
using SSeg.Pipelines.Cli.Shards;

namespace SSeg.Pipelines.Cli;

/// <summary>`shards list|stats|head|verify|export` and `bench shards`.</summary>
public static class ShardsCli
{
    public static Command Create()
    {
        var command = new Command("shards",
            "Inspect, verify and export shard datasets under a storage root (a folder, or az://container/prefix " +
            "with the connection string in SSEG_AZURE_CONNECTION_STRING or --connection-string).");
        foreach (var sub in ShardsCommands.All())
            command.Subcommands.Add(sub);
        return command;
    }
}
