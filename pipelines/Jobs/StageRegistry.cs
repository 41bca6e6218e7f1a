namespace SSeg.Pipelines.Jobs;

/// <summary>The stages the host knows, in pipeline order.</summary>
public sealed class StageRegistry(IEnumerable<IStageAdapter> adapters)
{
    public IReadOnlyList<IStageAdapter> All { get; } = adapters.ToList();

    public IStageAdapter? Find(string name) =>
        All.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase));
}

