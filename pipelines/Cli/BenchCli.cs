using System.CommandLine;

namespace SSeg.Pipelines.Cli;

/// <summary>`bench ...`: benchmark verbs that print figures. Each area contributes its own subcommand.</summary>
public static class BenchCli
{
    public static Command Create()
    {
        var bench = new Command("bench", "Benchmarks that print throughput and memory figures.");
        foreach (var sub in new[] { ShardsCli.CreateBench(), IngestCli.CreateBench(), NlpCli.CreateBench(),
                                    PseudomaskCli.CreateBench(), TrainCli.CreateBench(), SelftrainCli.CreateBench(),
                                    EvalCli.CreateBench(), Bench.TrainLoaderBench.Create() })
            if (sub is not null) bench.Subcommands.Add(sub);
        return bench;
    }
}
