using SSeg.Eval.Metrics;

namespace SSeg.Eval.Tests;

public class SegmentationMetricsTests
{
    [Fact]
    public void HandComputedCaseWithAbsentClassesAndIgnorePixels()
    {
        // 4 classes; class 3 absent from both GT and prediction -> NaN, excluded from mIoU.
        int[] gt =   { 0, 0, 1, 1, 255, 2, 2, 2 };
        int[] pred = { 0, 1, 1, 1, 3 /* ignored by GT 255 */, 2, 0, 1 };
        var m = new SegmentationMetrics(4);
        m.Add(pred, gt);

        // class 0: inter 1, pred 2, gt 2 -> union 3 ; class 1: inter 2, pred 4, gt 2 -> union 4
        // class 2: inter 1, pred 1, gt 3 -> union 3 ; class 3: union 0 -> NaN
        Assert.Equal(new long[] { 1, 2, 1, 0 }, m.Intersect);
        Assert.Equal(new long[] { 2, 4, 1, 0 }, m.PredictedPixels);
        Assert.Equal(new long[] { 2, 2, 3, 0 }, m.GroundTruthPixels);
        Assert.Equal(1.0 / 3, m.IoU(0), 12);
        Assert.Equal(0.5, m.IoU(1), 12);
        Assert.Equal(1.0 / 3, m.IoU(2), 12);
        Assert.True(double.IsNaN(m.IoU(3)));
        Assert.Equal((1.0 / 3 + 0.5 + 1.0 / 3) / 3, m.MeanIoU, 12);
        Assert.Equal(4.0 / 7, m.AllAccuracy, 12);
    }

    [Fact]
    public void ClassOnlyPredictedHasZeroIoUNotNaN()
    {
        var m = new SegmentationMetrics(3);
        m.Add(new[] { 2, 0 }, new[] { 0, 0 });
        Assert.Equal(0.0, m.IoU(2));            // predicted but absent from GT: counts as 0
        Assert.True(double.IsNaN(m.IoU(1)));    // absent everywhere
        Assert.Equal(0.25, m.MeanIoU, 12);      // (0.5 + 0) / 2
    }

    [Fact]
    public void DatasetLevelAccumulationDiffersFromPerImageAveraging()
    {
        // image A: tiny class-1 object missed; image B: large class-1 object found.
        var m = new SegmentationMetrics(2);
        m.Add(new[] { 0, 0, 0, 0 }, new[] { 0, 0, 0, 1 });
        m.Add(Enumerable.Repeat(1, 100).ToArray(), Enumerable.Repeat(1, 100).ToArray());
        // class 0: inter 3, pred 4, gt 3 -> 3/4 ; class 1: inter 100, pred 100, gt 101 -> 100/101
        Assert.Equal((0.75 + 100.0 / 101) / 2, m.MeanIoU, 12);
        // per-image averaging would give A: (0.75 + 0)/2, B: NaN-class0 -> 1.0 ; mean 0.6875: must differ
        Assert.NotEqual(0.6875, m.MeanIoU, 6);
        Assert.Equal(2, m.Images);
    }

    [Fact]
    public void MergeEqualsSequentialAddAndCountsStayExactIn64Bit()
    {
        var rng = new Random(7);
        var whole = new SegmentationMetrics(5);
        var a = new SegmentationMetrics(5);
        var b = new SegmentationMetrics(5);
        for (int i = 0; i < 6; i++)
        {
            var gt = Enumerable.Range(0, 50).Select(_ => rng.Next(6) == 5 ? 255 : rng.Next(5)).ToArray();
            var pred = Enumerable.Range(0, 50).Select(_ => rng.Next(5)).ToArray();
            whole.Add(pred, gt);
            (i % 2 == 0 ? a : b).Add(pred, gt);
        }
        a.Merge(b);
        Assert.Equal(whole.Intersect, a.Intersect);
        Assert.Equal(whole.PredictedPixels, a.PredictedPixels);
        Assert.Equal(whole.MeanIoU, a.MeanIoU, 15);
    }

    [Fact]
    public void OutOfRangeGroundTruthIsDroppedAndCountedWhileBadPredictionThrows()
    {
        var m = new SegmentationMetrics(2);
        m.Add(new[] { 0, 1, 1 }, new[] { 0, 7, 1 });
        Assert.Equal(1, m.OutOfRangeGroundTruthPixels);
        Assert.Equal(new long[] { 1, 1 }, m.PredictedPixels);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => m.Add(new[] { 2 }, new[] { 0 }));
        Assert.Contains("predicted label 2", e.Message);
        Assert.Throws<ArgumentException>(() => m.Add(new[] { 0 }, new[] { 0, 1 }));
    }

    [Fact]
    public void EmptyMetricsAreNaNAndPerClassTableNamesRows()
    {
        var m = new SegmentationMetrics(2);
        Assert.True(double.IsNaN(m.MeanIoU));
        Assert.True(double.IsNaN(m.AllAccuracy));
        m.Add(new[] { 1, 1 }, new[] { 1, 0 });
        var rows = m.PerClass(new[] { "background", "cat" });
        Assert.Equal("cat", rows[1].Name);
        Assert.Equal(0.5, rows[1].IoU, 12);
        Assert.Equal(1.0, rows[1].Accuracy, 12);
        Assert.Throws<ArgumentException>(() => m.PerClass(new[] { "only-one" }));
    }
}
