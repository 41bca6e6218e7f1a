using System.CommandLine;

namespace SSeg.Pipelines.Bench;

/// <summary>`bench ...`: benchmark verbs that print figures (speed and memory targets live here, never in timed
/// tests). The stage libraries carry no benchmark code; `eval bench` and `selftrain bench` are the same commands
/// under their stage's verb.</summary>
public static class BenchCli
{
    public static Command Create()
    {
        var bench = new Command("bench", "Benchmarks that print throughput and memory figures.");
        foreach (var sub in new[] { ShardsBench.Create(), IngestBench.Create(), NlpBench.Create(), PseudomaskBench.Create(),
                                    TrainBench.Create(), SelftrainBench.Create("selftrain"), EvalBench.Create("eval") })
            bench.Subcommands.Add(sub);
        return bench;
    }
}
