using System.CommandLine;
using SSeg.Pipelines.Cli.Nlp;

namespace SSeg.Pipelines.Cli;

/// <summary>`nlp train-tagger|tag|eval` and `bench nlp`.</summary>
public static class NlpCli
{
    public static Command Create()
    {
        var command = new Command("nlp", "Caption tagger (averaged perceptron, UD English EWT): train, tag, evaluate.");
        foreach (var sub in NlpCommands.All())
            command.Subcommands.Add(sub);
        return command;
    }
}
