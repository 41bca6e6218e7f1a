using System.CommandLine;

namespace SSeg.Pipelines.Cli;

public static class PseudomaskCli
{
    public static Command Create()
    {
        var command = new Command("pseudomask", "DINO features + k-means pseudo-masks into mask shards; the oracle check.");
        return command;
    }

    /// <summary>The `bench pseudomask` subcommand, or null while there is none.</summary>
    public static Command? CreateBench() => null;
}
