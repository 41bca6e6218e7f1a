namespace SSeg.Shards.Tests;

/// <summary>A clock the test sets: the time a writer files a commit under, and when a reader polls.</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;
    // Elapsed time (a writer's line-to-object time) follows Now as well.
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    public override long GetTimestamp() => Now.UtcTicks;
}
