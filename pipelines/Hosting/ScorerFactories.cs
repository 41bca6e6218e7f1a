using SSeg.Eval.Scoring;
using SSeg.Selftrain.Scoring;
using SSeg.Train.Scoring;

namespace SSeg.Pipelines.Hosting;

/// <summary>
/// The scorer factories this host knows, registered by type: eval, `eval scorers`, the eval stage job and the
/// selftrain teacher all resolve checkpoints through this one list. A model library that adds a checkpoint kind
/// adds its factory here.
/// </summary>
public static class ScorerFactories
{
    public static ScorerRegistry Create() => new ScorerRegistry()
        .Register(new SSegPlusScorerFactory())
        .Register(new SSegScorerFactory());
}
