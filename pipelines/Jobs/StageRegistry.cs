namespace SSeg.Pipelines.Jobs;

/// <summary>The stages the host knows, in pipeline order.</summary>
public sealed class StageRegistry(IEnumerable<IStageAdapter> adapters)
{
    public IReadOnlyList<IStageAdapter> All { get; } = adapters.ToList();

    public IStageAdapter? Find(string name) =>
        All.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>Stand-in for a stage whose library has no entry point yet: listed, disabled, skipped with a line.</summary>
public sealed class NotBuiltStage(string name, string description, string queue) : IStageAdapter
{
    public string Name => name;
    public string Description => description;
    public string Queue => queue;
    public string? Unavailable => "not built yet";
    public IReadOnlyList<StageOption> Options => [];
    public IReadOnlyList<string> Validate(StageContext context) => [];
    public Task<StagePlan> PlanAsync(StageContext context, CancellationToken ct) => throw Unbuilt();
    public Task DiscardStaleOutputAsync(StageContext context, CancellationToken ct) => throw Unbuilt();
    public Task RunShardAsync(StageContext context, int shard, IProgress<StageProgress> progress, CancellationToken ct) => throw Unbuilt();
    public Task<int> CountCompletedAsync(StageContext context, StagePlan plan, CancellationToken ct) => throw Unbuilt();
    public Task<string> SummarizeAsync(StageContext context, CancellationToken ct) => Task.FromResult("skipped: not built yet");
    private InvalidOperationException Unbuilt() => new($"Stage '{name}' is not built yet.");
}
