using System.CommandLine;

namespace SSeg.Pipelines.Cli;

public static class TrainCli
{
    public static Command Create()
    {
        var command = new Command("train", "Train S-Seg.");
        return command;
    }

    /// <summary>The `bench train` subcommand, or null while there is none.</summary>
    public static Command? CreateBench() => null;
}
