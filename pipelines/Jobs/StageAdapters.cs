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
        services.AddSingleton<IStageAdapter>(new NotBuiltStage("selftrain-label", "Label target images with a trained S-Seg (S-Seg+).", Queues.Gpu));
        services.AddSingleton<IStageAdapter>(new NotBuiltStage("selftrain", "Train UperNet on S-Seg labels (S-Seg+).", Queues.Gpu));
        services.AddSingleton<IStageAdapter, EvalAdapter>();
    }
}
