using System.CommandLine;
using SSeg.Pipelines.Jobs;

namespace SSeg.Pipelines.Cli;

/// <summary>`options [STAGE] [--markdown]`: every stage's options with pipeline key, CLI name, type, default and range.</summary>
public static class OptionsCli
{
    public static Command Create()
    {
        var command = new Command("options",
            "List the stages' options: the pipeline-file key (also the Run form's field), the CLI option (the key in kebab-case), " +
            "type, default and range. --markdown prints the README's reference table.");
        var stage = new Argument<string?>("stage") { Description = "Only this stage (ingest, pseudomask, train, selftrain-label, selftrain, eval).", Arity = ArgumentArity.ZeroOrOne };
        var markdown = new Option<bool>("--markdown") { Description = "Print the Markdown reference kept in README.md." };
        command.Arguments.Add(stage);
        command.Options.Add(markdown);
        command.SetAction(parse =>
        {
            var name = parse.GetValue(stage);
            var stages = StageAdapters.All.Where(a => name is null || string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase)).ToList();
            if (stages.Count == 0)
            {
                Console.Error.WriteLine($"options: unknown stage '{name}' (known: {string.Join(", ", StageAdapters.All.Select(a => a.Name))})");
                return 2;
            }
            Console.Write(parse.GetValue(markdown) ? OptionsReference.Markdown(stages) : OptionsReference.Text(stages));
            return 0;
        });
        return command;
    }
}
