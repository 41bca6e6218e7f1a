using System.CommandLine;

namespace SSeg.Pipelines.Cli;

public static class EvalCli
{
    public static Command Create()
    {
        var command = new Command("eval", "Evaluate a model: mIoU on VOC, Pascal Context, COCO-Object.");
        return command;
    }
}
