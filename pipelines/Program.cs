using System.CommandLine;
using SSeg.Pipelines.Cli;

var root = new RootCommand(
    "S-Seg pipeline: ingest image-text pairs, make DINO pseudo-masks, train S-Seg / S-Seg+, evaluate, " +
    "and run it all as Hangfire jobs. Every verb has --help.");

foreach (var command in CliCommands.All())
    root.Subcommands.Add(command);

return await root.Parse(args).InvokeAsync();
