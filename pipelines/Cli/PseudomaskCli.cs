using System.CommandLine;
using SSeg.Pipelines.Cli.Pseudomask;

namespace SSeg.Pipelines.Cli;

public static class PseudomaskCli
{
    /// <summary>`pseudomask --root R --dataset NAME [--model vit_small --patch 8 --checkpoint FILE | --random-weights] ...` and `pseudomask oracle`.</summary>
    public static Command Create() => PseudomaskCommand.Create();
}
