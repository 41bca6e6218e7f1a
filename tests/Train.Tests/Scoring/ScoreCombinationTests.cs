using SSeg.Train.Scoring;
using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Train.Tests.Scoring;

/// <summary>The score combinations against a plain-loop evaluation of their formulas (METHOD.md §7.4 step 3 and the
/// alternatives that keep mask evidence).</summary>
public class ScoreCombinationTests
{
    private const int B = 2, Q = 5, C = 3, H = 4, W = 3;

    [Theory]
    [InlineData("normalized")]
    [InlineData("sum-clipped")]
    [InlineData("normalized-x-mask")]
    [InlineData("max-query")]
    [InlineData("argmax-query")]
    [InlineData("mask-weighted-cosine")]
    public void Combination_matches_its_formula(string name)
    {
        var combination = ScoreCombinations.Parse(name);
        var rng = new Random(5);
        const double scale = 7.5;
        var cos = new double[B, Q, C];
        var p = new double[B, Q, C];
        var m = new double[B, Q, H, W];
        for (int b = 0; b < B; b++)
            for (int q = 0; q < Q; q++)
            {
                for (int c = 0; c < C; c++) cos[b, q, c] = 2 * rng.NextDouble() - 1;
                double z = Enumerable.Range(0, C).Sum(c => Math.Exp(scale * cos[b, q, c]));
                for (int c = 0; c < C; c++) p[b, q, c] = Math.Exp(scale * cos[b, q, c]) / z;
                for (int y = 0; y < H; y++)
                    for (int x = 0; x < W; x++) m[b, q, y, x] = rng.NextDouble() < 0.3 ? 0.01 * rng.NextDouble() : rng.NextDouble();
            }
        using var ct = tensor(cos.Cast<double>().ToArray(), new long[] { B, Q, C }, dtype: float64);
        using var mt = tensor(m.Cast<double>().ToArray(), new long[] { B, Q, H, W }, dtype: float64);
        using var actual = ScoreCombinations.Combine(ct, scale, mt, combination);
        Assert.Equal(new long[] { B, C, H, W }, actual.shape);
        var values = actual.data<double>().ToArray();

        for (int b = 0; b < B; b++)
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                {
                    var s = new double[C];
                    var best = new double[C];
                    var weightedCos = new double[C];
                    double maskSum = 0;
                    double maxMask = -1;
                    int bestQuery = 0;
                    for (int q = 0; q < Q; q++)
                    {
                        if (m[b, q, y, x] > maxMask) (maxMask, bestQuery) = (m[b, q, y, x], q);
                        maskSum += m[b, q, y, x];
                        for (int c = 0; c < C; c++)
                        {
                            s[c] += p[b, q, c] * m[b, q, y, x];
                            best[c] = Math.Max(best[c], p[b, q, c] * m[b, q, y, x]);
                            weightedCos[c] += m[b, q, y, x] * Math.Max(cos[b, q, c], 0);
                        }
                    }
                    double total = s.Sum();
                    for (int c = 0; c < C; c++)
                    {
                        double expected = combination switch
                        {
                            ScoreCombination.Normalized => s[c] / total,
                            ScoreCombination.SumClipped => Math.Min(s[c], 1),
                            ScoreCombination.NormalizedTimesMask => s[c] / total * maxMask,
                            ScoreCombination.MaxQuery => best[c],
                            ScoreCombination.ArgmaxQuery => p[b, bestQuery, c],
                            _ => weightedCos[c] / maskSum,
                        };
                        double got = values[((b * C + c) * H + y) * W + x];
                        Assert.True(Math.Abs(expected - got) < 1e-12, $"{name} b{b} c{c} ({y},{x}): {got} vs {expected}");
                        Assert.InRange(got, 0, 1);
                    }
                }
    }

    [Fact]
    public void Names_round_trip_and_unknown_names_are_rejected_with_the_known_list()
    {
        foreach (var c in ScoreCombinations.All) Assert.Equal(c, ScoreCombinations.Parse(ScoreCombinations.Name(c).ToUpperInvariant()));
        var e = Assert.Throws<ArgumentException>(() => ScoreCombinations.Parse("softmax"));
        Assert.Contains("softmax", e.Message);
        Assert.Contains("max-query", e.Message);
    }
}
