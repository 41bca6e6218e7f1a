namespace SSeg.Train.Training;

/// <summary>
/// Per-iteration learning rate (docs/method.md §6): linear warmup from <see cref="WarmupLr"/> to <see cref="BaseLr"/>
/// over <see cref="WarmupSteps"/>, then cosine decay to <see cref="MinLr"/> at <see cref="TotalSteps"/>
/// [A: cosine over the steps after warmup, so the curve is continuous].
/// </summary>
public sealed record LrSchedule(double BaseLr, double WarmupLr, double MinLr, long WarmupSteps, long TotalSteps)
{
    /// <summary>GroupViT's linear scaling: every rate × effectiveBatch / referenceBatch.</summary>
    public static LrSchedule Scaled(double baseLr, double warmupLr, double minLr, long warmupSteps, long totalSteps, int effectiveBatch, int referenceBatch = 4096)
    {
        double f = (double)effectiveBatch / referenceBatch;
        return new LrSchedule(baseLr * f, warmupLr * f, minLr * f, warmupSteps, totalSteps);
    }

    public double At(long step)
    {
        if (step < WarmupSteps) return WarmupLr + (BaseLr - WarmupLr) * step / WarmupSteps;
        long decay = Math.Max(1, TotalSteps - WarmupSteps);
        double t = Math.Min(1.0, (double)(step - WarmupSteps) / decay);
        return MinLr + 0.5 * (BaseLr - MinLr) * (1 + Math.Cos(Math.PI * t));
    }
}
