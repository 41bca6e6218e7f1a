using SSeg.Eval.Protocol;
using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Eval.Tests;

public class SlidingWindowTests
{
    [Theory]
    [InlineData(448, 1)]
    [InlineData(449, 2)]
    [InlineData(100, 1)]
    [InlineData(597, 2)]
    [InlineData(700, 3)]
    [InlineData(2048, 9)]
    public void GridCountFollowsMmsegFormula(int size, int expected)
    {
        Assert.Equal(expected, SlidingWindowGrid.Count(size, 448, 224));
    }

    [Fact]
    public void WindowsAreShiftedBackInsideTheImage()
    {
        var w = SlidingWindowGrid.Windows(448, 700, 448, 224);
        Assert.Equal(new[] { new Window(0, 448, 0, 448), new Window(0, 448, 224, 672), new Window(0, 448, 252, 700) }, w);
        var small = SlidingWindowGrid.Windows(100, 300, 448, 224);
        Assert.Equal(new[] { new Window(0, 100, 0, 300) }, small); // smaller than the crop: one window, no padding
        var odd = SlidingWindowGrid.Windows(5, 7, 4, 2);
        Assert.Equal(new[]
        {
            new Window(0, 4, 0, 4), new Window(0, 4, 2, 6), new Window(0, 4, 3, 7),
            new Window(1, 5, 0, 4), new Window(1, 5, 2, 6), new Window(1, 5, 3, 7),
        }, odd);
        // shorter than the crop in one axis only: one row of 3-pixel-high windows, no padding
        var flat = SlidingWindowGrid.Windows(3, 9, 4, 2);
        Assert.Equal(new[] { new Window(0, 3, 0, 4), new Window(0, 3, 2, 6), new Window(0, 3, 4, 8), new Window(0, 3, 5, 9) }, flat);
    }

    [Fact]
    public void SlideAverageOnAnImageShorterThanTheCropInOneAxis()
    {
        // 3x9, crop 4, stride 2: windows x in [0,4), [2,6), [4,8), [5,9); each scored with its ordinal 1..4.
        var input = zeros(1, 3, 3, 9);
        int ordinal = 0;
        using var avg = SegmentationPredictor.SlideAverage(input, 4, 2, 8, 1, w =>
        {
            Assert.Equal(new long[] { 4, 3, 3, 4 }, w.shape);
            return stack(Enumerable.Range(0, 4).Select(_ => full(new long[] { 1, 3, 4 }, (float)++ordinal)).ToArray());
        });
        // column coverage by hand: x0,1: {1}; x2,3: {1,2}; x4: {2,3}; x5: {2,3,4}; x6,7: {3,4}; x8: {4}
        var expectedRow = new[] { 1, 1, 1.5, 1.5, 2.5, 3, 3.5, 3.5, 4 };
        var v = avg.data<float>().ToArray();
        for (int y = 0; y < 3; y++)
        for (int x = 0; x < 9; x++)
            Assert.Equal(expectedRow[x], v[y * 9 + x], 1e-6);
    }

    [Fact]
    public void SlideAverageDividesSummedWindowScoresByCoverage()
    {
        // Image 5x7, crop 4, stride 2: windows listed by hand below. Channel 0 echoes the input (placement check);
        // channel 1 is the window's ordinal 1..6 (averaging check).
        const int h = 5, w = 7;
        var input = arange(h * w, dtype: float32).reshape(1, 1, h, w).expand(1, 3, h, w).contiguous();
        int ordinal = 0;
        var calls = new List<long>();
        using var avg = SegmentationPredictor.SlideAverage(input, crop: 4, stride: 2, windowBatch: 4, channels: 2, windows =>
        {
            calls.Add(windows.shape[0]);
            var outs = new List<Tensor>();
            for (int b = 0; b < windows.shape[0]; b++)
            {
                ordinal++;
                outs.Add(cat(new[] { windows[b].narrow(0, 0, 1), full(new long[] { 1, windows.shape[2], windows.shape[3] }, (float)ordinal) }, 0));
            }
            return stack(outs);
        });
        Assert.Equal(new long[] { 4, 2 }, calls);

        var handWindows = new (int y1, int y2, int x1, int x2)[] { (0, 4, 0, 4), (0, 4, 2, 6), (0, 4, 3, 7), (1, 5, 0, 4), (1, 5, 2, 6), (1, 5, 3, 7) };
        var result = avg.data<float>().ToArray();
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            var covering = Enumerable.Range(0, 6).Where(k => y >= handWindows[k].y1 && y < handWindows[k].y2 && x >= handWindows[k].x1 && x < handWindows[k].x2).ToList();
            double expected = covering.Average(k => k + 1.0);
            Assert.Equal(y * w + x, result[y * w + x], 1e-5);
            Assert.Equal(expected, result[h * w + y * w + x], 1e-5);
        }
        // spot checks by hand: (0,0) only window 1; (2,3) windows 1,2,3,4,5,6 -> 3.5; (4,6) windows 6 only
        Assert.Equal(1.0, result[h * w + 0], 1e-6);
        Assert.Equal(3.5, result[h * w + 2 * w + 3], 1e-6);
        Assert.Equal(6.0, result[h * w + 4 * w + 6], 1e-6);
    }

    [Fact]
    public void BackgroundRuleUsesWindowMaxCappedThreshold()
    {
        // window 0: max 0.9 < tau 0.95 -> tau_eff 0.9: only the pixel reaching 0.9 is foreground.
        // window 1: max 1.0 -> tau_eff 0.95.
        var s = tensor(new float[]
        {
            0.9f, 0.5f,   0.1f, 0.5f,   // class 0, then class 1 for 2 pixels (window 0)
            0.96f, 0.6f,  0.04f, 0.4f,  // window 1
        }, new long[] { 2, 2, 1, 2 });
        using var withBg = BackgroundRule.Apply(s, 0.95);
        Assert.Equal(new long[] { 2, 3, 1, 2 }, withBg.shape);
        var v = withBg.data<float>().ToArray();
        Assert.Equal(new float[] { 0, 1 }, v[0..2]);  // window 0 background channel
        Assert.Equal(new float[] { 0, 1 }, v[6..8]);  // window 1 background channel: 0.96 >= 0.95, 0.6 < 0.95
        Assert.Equal(0.9f, v[2]);                     // foreground channels pass through
    }
}
