using System.CommandLine;
using SSeg.Pipelines.Bench;
using SSeg.Pipelines.Cli.Selftrain;

namespace SSeg.Pipelines.Cli;

/// <summary>`selftrain label` (teacher labels → shards) and `selftrain train` (UperNet on an MAE ViT), docs/method.md §8.</summary>
public static class SelftrainCli
{
    public static Command Create()
    {
        var command = new Command("selftrain", "S-Seg+: label target images with S-Seg, train UperNet on them.");
        command.Subcommands.Add(SelftrainLabelCommand.Create());
        command.Subcommands.Add(SelftrainTrainCommand.Create());
        command.Subcommands.Add(SelftrainBench.Create("bench"));
        command.Subcommands.Add(SelftrainChainCommand.Create());
        return command;
    }
}
