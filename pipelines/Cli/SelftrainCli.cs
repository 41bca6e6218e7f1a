using System.CommandLine;

namespace SSeg.Pipelines.Cli;

public static class SelftrainCli
{
    public static Command Create()
    {
        var command = new Command("selftrain", "S-Seg+: label target images with S-Seg, train UperNet on them.");
        return command;
    }
}
