namespace SSeg.Pipelines.Jobs;

/// <summary>Forwards at most one progress report per interval (the run hash is in the job storage).</summary>
public sealed class ThrottledProgress(Action<StageProgress> write, TimeSpan interval) : IProgress<StageProgress>
{
    private readonly Lock _gate = new();
    private DateTime _lastWrite = DateTime.MinValue;

    public StageProgress? Last { get; private set; }

    public void Report(StageProgress value)
    {
        lock (_gate)
        {
            Last = value;
            var now = DateTime.UtcNow;
            if (now - _lastWrite < interval && value.Done != value.Total) return;
            _lastWrite = now;
        }
        try { write(value); }
        catch (Exception) { /* progress is best effort; the job's result does not depend on it */ }
    }
}
