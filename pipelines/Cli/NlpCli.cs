using System.CommandLine;

namespace SSeg.Pipelines.Cli;

public static class NlpCli
{
    public static Command Create()
    {
        var command = new Command("nlp", "Caption tagger: train, tag, evaluate.");
        return command;
    }

    /// <summary>The `bench nlp` subcommand, or null while there is none.</summary>
    public static Command? CreateBench() => null;
}
