using SSeg.Selftrain.Optim;

namespace SSeg.Selftrain.Tests;

public class WarmupPolyScheduleTests
{
    private static readonly WarmupPolySchedule Voc = new(MaxIterations: 20000);

    // Hand-computed with lr0 = 1e-4, T = 20000, W = 1500, ratio 1e-6, power 1, min 0.
    [Theory]
    [InlineData(0, 1e-10)]                       // 1e-4 · 1e-6
    [InlineData(750, 4.812504812500e-5)]         // 1e-4·0.9625 · (1 − 0.5·(1 − 1e-6))
    [InlineData(1499, 9.2505e-5 * (1 - (1.0 / 1500) * (1 - 1e-6)))]
    [InlineData(1500, 9.25e-5)]                  // warmup over: 1e-4·(1 − 1500/20000)
    [InlineData(10000, 5e-5)]
    [InlineData(19999, 5e-9)]
    [InlineData(20000, 0.0)]
    public void LearningRateAtChosenIterations(long iteration, double expected)
    {
        Assert.Equal(expected, Voc.LearningRate(1e-4, iteration), 1e-16);
    }

    [Fact]
    public void WarmupRisesMonotonicallyThenPolyDecaysLinearly()
    {
        var lrs = Enumerable.Range(0, 20001).Select(t => Voc.LearningRate(1e-4, t)).ToArray();
        for (var t = 1; t < 1500; t++) Assert.True(lrs[t] > lrs[t - 1], $"warmup not rising at {t}");
        for (var t = 1501; t <= 20000; t++) Assert.True(lrs[t] < lrs[t - 1], $"poly not falling at {t}");
        Assert.Equal(lrs[2000] - lrs[2001], lrs[15000] - lrs[15001], 1e-18);
    }

    [Fact]
    public void ScaledGroupFollowsTheSameShape()
    {
        var scale = Math.Pow(0.7, 13);
        foreach (var t in new[] { 0, 100, 1500, 7000, 19999 })
            Assert.Equal(Voc.LearningRate(1e-4, t) * scale, Voc.LearningRate(1e-4 * scale, t), 1e-18);
    }
}
