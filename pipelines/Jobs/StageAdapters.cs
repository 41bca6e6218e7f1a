using Microsoft.Extensions.DependencyInjection;
using SSeg.Pipelines.Hosting;

namespace SSeg.Pipelines.Jobs;

/// <summary>The stage adapters in pipeline order. A stage whose library has no entry point yet is a NotBuiltStage.</summary>
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
