namespace SSeg.Eval.Scoring;

/// <summary>The scorer factories known to the host; resolves a checkpoint path to a scorer.</summary>
public sealed class ScorerRegistry
{
    private readonly List<IScorerFactory> _factories = new();

    public IReadOnlyList<IScorerFactory> Factories => _factories;

    public ScorerRegistry Register(IScorerFactory factory)
    {
        if (_factories.Any(f => string.Equals(f.Kind, factory.Kind, StringComparison.OrdinalIgnoreCase)))
            throw new InvalidOperationException($"a scorer factory of kind '{factory.Kind}' is already registered");
        _factories.Add(factory);
        return this;
    }

    /// <summary>
    /// Picks the factory: the one named by <paramref name="kind"/> when given, else the first whose
    /// <see cref="IScorerFactory.CanLoad"/> accepts the checkpoint. Throws naming the checkpoint and the kinds tried.
    /// </summary>
    public IScorerFactory Resolve(string checkpointPath, string? kind = null)
    {
        if (!File.Exists(checkpointPath) && !Directory.Exists(checkpointPath))
            throw new FileNotFoundException($"checkpoint not found: {checkpointPath}", checkpointPath);
        if (kind is not null)
        {
            return _factories.FirstOrDefault(f => string.Equals(f.Kind, kind, StringComparison.OrdinalIgnoreCase))
                ?? throw new InvalidOperationException(
                    $"no scorer of kind '{kind}' is registered (known: {KnownKinds()})");
        }
        return _factories.FirstOrDefault(f => f.CanLoad(checkpointPath))
            ?? throw new InvalidOperationException(
                $"no registered scorer can load {checkpointPath} (tried: {KnownKinds()}); pass --model-kind to force one");
    }

    public ISegmentationScorer Load(string checkpointPath, ScorerLoadOptions options, string? kind = null)
        => Resolve(checkpointPath, kind).Load(checkpointPath, options);

    private string KnownKinds() => _factories.Count == 0 ? "none" : string.Join(", ", _factories.Select(f => f.Kind));
}
