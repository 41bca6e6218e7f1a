using TorchSharp;
using TorchSharp.Modules;

namespace SSeg.Selftrain.Optim;

/// <summary>AdamW whose parameter groups follow <see cref="LayerDecayParameterTable"/>; the schedule is applied per group.</summary>
public sealed class LayerDecayOptimizer : IDisposable
{
    private readonly List<(torch.optim.ILearningRateController Group, double InitialLearningRate)> _groups = new();

    public AdamW Optimizer { get; }
    public IReadOnlyList<LayerDecayEntry> Table { get; }
    public IReadOnlyList<string> GroupNames { get; }

    public LayerDecayOptimizer(IEnumerable<(string Name, Parameter Parameter)> namedParameters, LayerDecayOptions options,
        double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        var trainable = namedParameters.Where(p => p.Parameter.requires_grad).ToList();
        var table = LayerDecayParameterTable.Build(trainable.Select(p => (p.Name, p.Parameter.shape)), options);
        Table = table;
        var byGroup = trainable.Zip(table).GroupBy(x => x.Second.GroupName).OrderBy(g => g.First().Second.LayerId)
            .ThenBy(g => g.Key, StringComparer.Ordinal).ToList();
        var paramGroups = byGroup.Select(g =>
        {
            var entry = g.First().Second;
            return new AdamW.ParamGroup(g.Select(x => x.First.Parameter), entry.LearningRate, beta1, beta2, eps, entry.WeightDecay);
        }).ToList();
        GroupNames = byGroup.Select(g => g.Key).ToList();
        Optimizer = torch.optim.AdamW(paramGroups, options.BaseLearningRate, beta1, beta2, eps, options.WeightDecay);
        var groups = Optimizer.ParamGroups.ToList();
        for (var i = 0; i < groups.Count; i++)
            _groups.Add((groups[i], byGroup[i].First().Second.LearningRate));
    }

    /// <summary>Sets every group's lr for the iteration about to run (0-based).</summary>
    public void ApplySchedule(WarmupPolySchedule schedule, long iteration)
    {
        foreach (var (group, initial) in _groups)
            group.LearningRate = schedule.LearningRate(initial, iteration);
    }

    /// <summary>The current lr of each group, in <see cref="GroupNames"/> order.</summary>
    public IReadOnlyList<double> CurrentLearningRates => _groups.Select(g => g.Group.LearningRate).ToList();

    public void Dispose() => Optimizer.Dispose();
}
