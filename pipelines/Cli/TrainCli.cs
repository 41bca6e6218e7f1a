using System.CommandLine;
using SSeg.Pipelines.Cli.Train;

namespace SSeg.Pipelines.Cli;

public static class TrainCli
{
    /// <summary>`train --root R --dataset NAME --masks GEN --run RUN [--config tiny|vit-s16] ...`, `train vocab`, `train synth`.</summary>
    public static Command Create() => TrainCommands.Create();

    /// <summary>`bench train`: training-step img/s per config, peak memory; `--learn` for the shapes learning run.</summary>
    public static Command? CreateBench() => TrainBench.Create();
}
