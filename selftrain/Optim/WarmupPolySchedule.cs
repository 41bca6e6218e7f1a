namespace SSeg.Selftrain.Optim;

/// <summary>
/// Per-iteration learning rate as mmcv's poly policy with linear warmup (docs/method.md §8.3):
/// regular(t) = (lr0 − min)·(1 − t/T)^power + min; during warmup (t &lt; W) the regular value is multiplied by
/// 1 − (1 − t/W)·(1 − ratio), so iteration 0 runs at ratio·lr0. t is the 0-based index of the iteration about to run.
/// </summary>
public sealed record WarmupPolySchedule(int MaxIterations, int WarmupIterations = 1500, double WarmupRatio = 1e-6,
    double Power = 1.0, double MinLearningRate = 0.0)
{
    public double LearningRate(double initialLearningRate, long iteration)
    {
        if (MaxIterations <= 0) throw new InvalidOperationException("MaxIterations must be positive.");
        var t = Math.Clamp(iteration, 0, MaxIterations);
        var coefficient = Math.Pow(1.0 - (double)t / MaxIterations, Power);
        var regular = (initialLearningRate - MinLearningRate) * coefficient + MinLearningRate;
        if (t >= WarmupIterations) return regular;
        var k = (1.0 - (double)t / WarmupIterations) * (1.0 - WarmupRatio);
        return regular * (1.0 - k);
    }
}
