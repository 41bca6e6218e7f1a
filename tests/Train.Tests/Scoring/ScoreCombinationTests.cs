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
    public void Combination_matches_its_formula(string name)
    {
        var combination = ScoreCombinations.Parse(name);
        var rng = new Random(5);
        var p = new double[B, Q, C];
        var m = new double[B, Q, H, W];
        for (int b = 0; b < B; b++)
            for (int q = 0; q < Q; q++)
            {
                var logits = Enumerable.Range(0, C).Select(_ => 3 * rng.NextDouble()).ToArray();
                double z = logits.Sum(Math.Exp);
                for (int c = 0; c < C; c++) p[b, q, c] = Math.Exp(logits[c]) / z;
                for (int y = 0; y < H; y++)
                    for (int x = 0; x < W; x++) m[b, q, y, x] = rng.NextDouble() < 0.3 ? 0.01 * rng.NextDouble() : rng.NextDouble();
            }
        using var pt = tensor(p.Cast<double>().ToArray(), new long[] { B, Q, C }, dtype: float64);
        using var mt = tensor(m.Cast<double>().ToArray(), new long[] { B, Q, H, W }, dtype: float64);
        using var actual = ScoreCombinations.Combine(pt, mt, combination);
        Assert.Equal(new long[] { B, C, H, W }, actual.shape);
        var values = actual.data<double>().ToArray();

        for (int b = 0; b < B; b++)
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                {
                    var s = new double[C];
                    var best = new double[C];
                    double maxMask = -1;
                    int bestQuery = 0;
                    for (int q = 0; q < Q; q++)
                    {
                        if (m[b, q, y, x] > maxMask) (maxMask, bestQuery) = (m[b, q, y, x], q);
                        for (int c = 0; c < C; c++)
                        {
                            s[c] += p[b, q, c] * m[b, q, y, x];
                            best[c] = Math.Max(best[c], p[b, q, c] * m[b, q, y, x]);
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
                            _ => p[b, bestQuery, c],
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
