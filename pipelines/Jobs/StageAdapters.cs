using Microsoft.Extensions.DependencyInjection;

namespace SSeg.Pipelines.Jobs;

/// <summary>The stage adapters in pipeline order.</summary>
public static class StageAdapters
{
    /// <summary>Every stage in pipeline order (the host registers these; `options` lists their declarations).</summary>
    public static IReadOnlyList<IStageAdapter> All { get; } =
        [new IngestAdapter(), new PseudomaskAdapter(), new TrainAdapter(), new SelftrainLabelAdapter(), new SelftrainAdapter(), new EvalAdapter()];

    public static void Register(IServiceCollection services)
    {
        foreach (var adapter in All) services.AddSingleton(adapter);
    }
}
