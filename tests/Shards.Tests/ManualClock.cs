namespace SSeg.Shards.Tests;

/// <summary>A clock the test sets: the time a writer files a commit under, and when a reader polls.</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;
}
