using Microsoft.Extensions.DependencyInjection;
using SSeg.Pipelines.Hosting;

namespace SSeg.Pipelines.Jobs;

/// <summary>The stage adapters in pipeline order.</summary>
public static class StageAdapters
{
    public static void Register(IServiceCollection services)
    {
        services.AddSingleton<IStageAdapter, IngestAdapter>();
        services.AddSingleton<IStageAdapter, PseudomaskAdapter>();
        services.AddSingleton<IStageAdapter, TrainAdapter>();
        services.AddSingleton<IStageAdapter, SelftrainLabelAdapter>();
        services.AddSingleton<IStageAdapter, SelftrainAdapter>();
        services.AddSingleton<IStageAdapter, EvalAdapter>();
    }
}
