using System.CommandLine;
using SSeg.Pipelines.Cli.Train;

namespace SSeg.Pipelines.Cli;

public static class TrainCli
{
    /// <summary>`train --root R --dataset NAME --masks GEN --run RUN [--config tiny|vit-s16] ...`, `train vocab`, `train synth`.</summary>
    public static Command Create() => TrainCommands.Create();
}
