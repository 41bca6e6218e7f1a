using System.CommandLine;
using SSeg.Pipelines.Bench;

namespace SSeg.Pipelines.Cli;

/// <summary>The top-level verbs. Each area owns one file in this folder that builds its verbs.</summary>
public static class CliCommands
{
    public static IEnumerable<Command> All()
    {
        yield return ShardsCli.Create();
        yield return IngestCli.Create();
        yield return NlpCli.Create();
        yield return PseudomaskCli.Create();
        yield return TrainCli.Create();
        yield return SelftrainCli.Create();
        yield return EvalCli.Create();
        yield return HostCli.CreateServe();
        yield return HostCli.CreateRun();
        yield return HostCli.CreateDemo();
        yield return DoctorCli.Create();
        yield return OptionsCli.Create();
        yield return BenchCli.Create();
    }
}
