using System.CommandLine;
using SSeg.Pipelines.Cli;

namespace SSeg.Pipelines.Tests;

/// <summary>Runs the real CLI verbs in-process with the console captured: exit code, standard output, standard error.</summary>
internal static class CliRunner
{
    public static async Task<(int Exit, string Output, string Error)> InvokeAsync(params string[] args)
    {
        var command = new RootCommand();
        foreach (var verb in CliCommands.All()) command.Subcommands.Add(verb);
        var (output, error) = (new StringWriter(), new StringWriter());
        var (originalOut, originalError) = (Console.Out, Console.Error);
        try
        {
            Console.SetOut(output);
            Console.SetError(error);
            var exit = await command.Parse(args).InvokeAsync();
            return (exit, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(originalOut);
            Console.SetError(originalError);
        }
    }
}
