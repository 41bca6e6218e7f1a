using System.CommandLine;
using SSeg.Pipelines.Bench;
using SSeg.Pipelines.Cli.Eval;

namespace SSeg.Pipelines.Cli;

/// <summary>`eval --model CKPT --dataset voc=DIR ...`, `eval calibrate`, `eval convert-coco-object`, `eval convert-lvis`, `eval scorers`, and `bench eval`.</summary>
public static class EvalCli
{
    public static Command Create()
    {
        var command = EvalRunCommand.Create();
        command.Subcommands.Add(ConvertCocoObjectCommand.Create());
        command.Subcommands.Add(ConvertLvisCommand.Create());
        command.Subcommands.Add(EvalRunCommand.CreateScorersList());
        command.Subcommands.Add(EvalCalibrateCommand.Create());
        command.Subcommands.Add(EvalBench.Create("bench"));
        return command;
    }
}
